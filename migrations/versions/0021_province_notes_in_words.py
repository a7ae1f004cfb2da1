"""the seeded province notes in words: the spec's rule codes ("（R-A-1, R-P-5）", "按 A4 统一…") left
out of the notes staff and applicants read; a note an admin has edited since is left as it is

Revision ID: 0021
Revises: 0017
"""

from alembic import op
from sqlalchemy import text

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# province code -> (the note as first seeded, the note in words)
NOTES = {
    "32": (
        "江苏：页脚须显示备案号链接及版权所有者；手机号须为本省号码（R-A-1, R-P-5）。",
        "江苏：页脚须显示备案号链接及版权所有者；手机号须为本省号码。",
    ),
    "33": (
        "浙江：管局审核最长 30 个工作日；网站名称须与网站实际显示一致（R-N-8）。",
        "浙江：管局审核最长 30 个工作日；网站名称须与网站实际显示一致。",
    ),
    "37": (
        "山东：据华为云资料未满 17 周岁不予备案；本系统按 A4 统一以 18 周岁为下限（R-P-6），可在此调整。",
        "山东：未满 17 周岁不予备案；本系统默认以 18 周岁为下限，可在此调整。",
    ),
    "44": (
        "广东：每个备案须提供法定代表人或个人签字的《互联网信息服务备案承诺书》（R-M-6）。",
        "广东：每个备案须提供法定代表人或个人签字的《互联网信息服务备案承诺书》。",
    ),
    "46": (
        "海南：营业执照须加盖海南市场监管登记章（R-M-8）。",
        "海南：营业执照须加盖海南市场监管登记章。",
    ),
}  # fmt: skip
UPDATE = text("UPDATE province_rules SET notes = :new WHERE code = :code AND notes = :old")


def upgrade():
    for code, (old, new) in NOTES.items():
        op.execute(UPDATE.bindparams(code=code, old=old, new=new))


def downgrade():
    for code, (old, new) in NOTES.items():
        op.execute(UPDATE.bindparams(code=code, old=new, new=old))

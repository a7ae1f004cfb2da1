"""The demo install: staff and applicant accounts, an IP pool, the registry and two filings.

The two filings make rows 7 and 8 of the A5 decision table reachable from the demo registry:
demo applicant A has an open filing for 成都锦程软件 (open_order_exists), and demo applicant B
holds 兰州陇原文化 through an approved filing (subject_owned_by_other_account for anyone else).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from domain.accounts import accounts
from domain.filing import filings
from domain.lifecycle.states import Action, Role
from domain.lifecycle.workdays import shanghai_today
from domain.review import reviewing
from domain.rulebook.domain_table import import_domains, parse_domains_csv
from domain.rulebook.provinces import FULL_NAMES
from domain.rulebook.registry import import_registry, parse_registry_csv
from domain.rulebook.seed_tables import seed_rule_tables
from extensions import db
from models import DomainRecord, Filing, ProviderIP, ProvinceRule, User, utcnow
from runtime import current, current_policy

REGISTRY_CSV = Path(__file__).with_name("registry.csv")
DOMAINS_CSV = Path(__file__).with_name("domains.csv")  # `flask domains import` takes it too
EXPIRING_DOMAIN = "xinya-shop.cn"

# (e-mail, password, name, role): printed by seed-demo and listed in README.md.
DEMO_ACCOUNTS = (
    ("admin@demo.beiandesk.cn", "Admin12345", "演示管理员", Role.admin),
    ("reviewer@demo.beiandesk.cn", "Review12345", "演示审核员", Role.reviewer),
    ("applicant@demo.beiandesk.cn", "Apply12345", "演示申请人甲", Role.applicant),
    ("applicant2@demo.beiandesk.cn", "Apply12345", "演示申请人乙", Role.applicant),
)
# The demo admin's second factor (admins must have one): seed-demo prints it, and in demo mode
# `flask --app app totp-code admin@demo.beiandesk.cn` prints the current code. A demo value, public.
DEMO_TOTP_SECRET = "BEIANDESKDEMOADMINTOTPSECRET2345"
IP_POOL = tuple(f"121.41.100.{host}" for host in range(10, 42))


def is_seeded() -> bool:
    """Whether the database already holds any account (seed only an empty install)."""
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def seed_demo() -> list[tuple[str, str, str, Role]]:
    """Load the whole demo data set (flushed, not committed). Returns the demo accounts."""
    seed_rule_tables()
    adapters = current()  # the bureau, the registry and the password hasher the app runs with
    users = {
        email: accounts.register(email, password, name, role, hasher=adapters.hasher)
        for email, password, name, role in DEMO_ACCOUNTS
    }
    now = utcnow()
    accounts.enable_totp_with_secret(
        users["admin@demo.beiandesk.cn"], DEMO_TOTP_SECRET, current_app.config["SECRET_KEY"], now
    )
    for address in IP_POOL:
        db.session.add(ProviderIP(address=address))
    db.session.flush()
    applicant_a = users["applicant@demo.beiandesk.cn"]
    applicant_b = users["applicant2@demo.beiandesk.cn"]
    for owner, addresses in ((applicant_a, IP_POOL[:3]), (applicant_b, IP_POOL[3:5])):
        for address in addresses:
            ip = db.session.scalars(select(ProviderIP).where(ProviderIP.address == address)).one()
            ip.account_id, ip.assigned_at = owner.id, now
    import_registry(
        parse_registry_csv(REGISTRY_CSV.read_text(encoding="utf-8")), hasher=adapters.hasher
    )
    seed_domain_table()

    reviewer = users["reviewer@demo.beiandesk.cn"]
    policy = current_policy()
    # Applicant A's filing for 成都锦程 waits for materials (an open order: A5 row 7).
    open_filing = filled_in_filing(
        applicant_a, "9151010740FTUQJ76F", "jincheng-soft.com", "Jincheng07", "13881234567"
    )
    reviewing.advance(
        open_filing,
        Action.submit,
        applicant_a,
        policy=policy,
        bureau=adapters.bureau,
        registry=adapters.registry,
    )
    reviewing.advance(
        open_filing, Action.initial_approve, reviewer, policy=policy, bureau=adapters.bureau, registry=adapters.registry,
        note="资料齐全，请上传资料并完成核验",
    )  # fmt: skip

    # Applicant B holds 兰州陇原 through an approved filing of its first website (A5 rows 8 and 9).
    done = filled_in_filing(
        applicant_b, "9162010237J3PLAR3C", "longyuan-culture.cn", "Longyuan15", "13919312345"
    )
    for action, actor in (
        (Action.submit, applicant_b),
        (Action.initial_approve, reviewer),
        (Action.submit_materials, applicant_b),
        (Action.re_approve, reviewer),
        (Action.submit_to_bureau, reviewer),
        (Action.sms_verify, None),
        (Action.bureau_approve, reviewer),
    ):
        reviewing.advance(
            done, action, actor, policy=policy, bureau=adapters.bureau, registry=adapters.registry
        )
    return list(DEMO_ACCOUNTS)


def seed_domain_table() -> None:
    """The demo domain table (A5 v3 domain lookup): domains on no registry website, for a 首次备案
    (xinya-wenchuang.cn: its holder 杭州新芽文化创意 is on neither the registry nor an order), a
    holder that does not match (chunfeng-tea.cn, typed with 新芽's certificate), a 新增网站 of 青禾
    (qinghe-shop.cn; qinghe-lab.cn is not real-name verified), and one with 20 days left whatever
    the day the demo is loaded (xinya-shop.cn), in Zhejiang, whose demo rule asks for 90 days."""
    import_domains(parse_domains_csv(DOMAINS_CSV.read_text(encoding="utf-8")))
    expiring = db.session.get(DomainRecord, EXPIRING_DOMAIN)
    if expiring is not None:
        expiring.expires_on = shanghai_today() + timedelta(days=20)
    zhejiang = db.session.get(ProvinceRule, "33")
    if zhejiang is not None:
        zhejiang.domain_min_days = 90
    db.session.flush()


def filled_in_filing(owner: User, uscc: str, domain: str, password: str, mobile: str) -> Filing:
    """A filing filled in through the same services the wizard uses, ready to submit."""
    today = shanghai_today()
    code = current_policy().provider_code
    registry = current().registry
    filing, verdict = filings.start_filing(owner, "uscc", uscc, domain, code, today, registry)
    if filing is None:
        raise RuntimeError(f"demo filing for {domain} refused: {verdict.refusal}")
    filings.set_product_ips(filing, owner, filings.account_ips(owner)[:1])
    if not filings.verify_password(filing, owner, password, registry):
        raise RuntimeError(f"demo filing password for {domain} is wrong")
    filings.update_subject(
        filing,
        {
            "certificate_address": f"{FULL_NAMES[filing.province]}演示路 1 号（演示数据）",
            "mailing_address": f"{FULL_NAMES[filing.province]}演示路 1 号 2 楼（演示数据）",
            "person_name": "演示负责人",
            "person_id_type": "resident_id",
            "person_id_number": "11010519491231002X",
            "person_mobile": mobile,
            "person_email": owner.email,
        },
    )
    for website in filing.websites:  # what the websites step asks (A2 v2: 网站服务内容)
        website.content_types = ["organization_portal"]
    return filing

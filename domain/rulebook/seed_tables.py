"""Seed values of the editable rule tables (DOMAIN.md A1, A4, B 3.3). Loaded by every install."""

from __future__ import annotations

from sqlalchemy import select

from domain.rulebook.provinces import PROVINCES, RULE_SEEDS
from extensions import db
from models import DenyWord, DomainSuffix, PreApprovalKeyword, ProvinceRule

APPROVED_SUFFIXES = (
    "cn com.cn net.cn org.cn gov.cn 中国 公司 网络 政务 公益 com net org info biz cc tv mobi name "
    "pro top xyz vip club shop site wang ink red kim link group work fun online tech store ltd art "
    "love cloud design"
).split()
V3_APPROVED_SUFFIXES = "网址 商城 在线 中文网 集团 网店 xin ren".split()  # A4 v3
APPROVED_SUFFIXES += V3_APPROVED_SUFFIXES
NEVER_APPROVED_SUFFIXES = "hk tw asia jp io me win".split()
SENSITIVE_WORDS = "赌博 色情 反腐 廉政".split()
PERSONAL_DENY_WORDS = (
    "博客 论坛 在线 社区 交流 工作室 官网 服务 中心 平台 导航 商城 购物 交易 营销 咨询 投资 贸易 传媒 "
    "媒体 股票 证券 彩票 行业 企业 管理 学院 网站 网络 网址 技术 信息 资讯 爱好者 家园 主页 热线 社团 "
    "搜索 定制 返现"
).split()

# R-W-3 (A4 v3): keywords that suggest a pre-approval category.
PRE_APPROVAL_KEYWORDS: dict[str, tuple[str, ...]] = {
    "finance": (
        "金融",
        "理财",
        "贷款",
        "网贷",
        "借贷",
        "众筹",
        "支付",
        "证券",
        "保险",
        "交易所",
        "p2p",
    ),
    "drugs_devices": ("药品", "医疗器械"),
    "healthcare": ("医院", "诊所", "医疗"),
    "news": ("新闻",),
    "publishing": ("出版",),
    "broadcasting": ("影视", "视频", "直播"),
    "games": ("游戏",),
    "ride_hailing": ("约车",),
}


def seed_rule_tables() -> int:
    """Insert the province rules, suffix table and deny-lists that are missing. Returns rows added."""
    added = 0
    existing_codes = set(db.session.scalars(select(ProvinceRule.code)))
    for province in PROVINCES:
        if province.code not in existing_codes:
            db.session.add(
                ProvinceRule(
                    code=province.code,
                    name=province.name,
                    abbr=province.abbr,
                    **RULE_SEEDS.get(province.code, {}),
                )
            )
            added += 1
    existing_suffixes = set(db.session.scalars(select(DomainSuffix.suffix)))
    for suffixes, approved in ((APPROVED_SUFFIXES, True), (NEVER_APPROVED_SUFFIXES, False)):
        for suffix in suffixes:
            if suffix not in existing_suffixes:
                db.session.add(DomainSuffix(suffix=suffix, approved=approved))
                added += 1
    existing_words = {
        tuple(row) for row in db.session.execute(select(DenyWord.list_name, DenyWord.word))
    }
    for list_name, words in (("sensitive", SENSITIVE_WORDS), ("personal", PERSONAL_DENY_WORDS)):
        for word in words:
            if (list_name, word) not in existing_words:
                db.session.add(DenyWord(list_name=list_name, word=word))
                added += 1
    existing_keywords = {
        tuple(row)
        for row in db.session.execute(
            select(PreApprovalKeyword.category, PreApprovalKeyword.keyword)
        )
    }
    for category, keywords in PRE_APPROVAL_KEYWORDS.items():
        for keyword in keywords:
            if (category, keyword) not in existing_keywords:
                db.session.add(PreApprovalKeyword(category=category, keyword=keyword))
                added += 1
    db.session.flush()
    return added

"""One rule for a choice a user types (aggregates.vocabulary.code_of): its code, its Chinese or
English word, another word of its code, or an unambiguous part of a word. The command catalogue
(ledger.commands.choice_code), the listings' filters (projections.finding.choose) and the register's
status (projections.read.status_key) all follow it, each refusing in its own words."""

import pytest

from aggregates.errors import RuleViolation
from aggregates.vocabulary import CERTIFICATE_STATUSES, CHANGE_KINDS, CHANGE_OUTCOMES, STAGES, code_of


@pytest.mark.parametrize("value, table, code", [
    ("suspended", CERTIFICATE_STATUSES, "suspended"),
    ("  SUSPENDED ", CERTIFICATE_STATUSES, "suspended"),
    ("暂停", CERTIFICATE_STATUSES, "suspended"),
    ("Active", CERTIFICATE_STATUSES, "valid"),
    ("susp", CERTIFICATE_STATUSES, "suspended"),          # a part of the English word
    ("换证", CHANGE_OUTCOMES, "reissue"),                   # a part of 变更证书内容并换发证书（换证）
    ("认证范围", CHANGE_KINDS, "scope"),                     # 认证范围变更 holds it more closely than 认证范围覆盖的人数变更
    ("审核", STAGES, "auditing"),                           # 审核中 before 审核完成
    ("证书", STAGES, None),                                 # 证书有效, 证书暂停 ... hold it as closely: none
    ("暂", CERTIFICATE_STATUSES, None),                     # one character is no part
    ("holiday", CERTIFICATE_STATUSES, None),
])
def test_code_of(value, table, code):
    assert code_of(value, table) == code


def test_among_and_other_words():
    assert code_of("expired", CERTIFICATE_STATUSES, among=("valid", "suspended")) is None
    assert code_of("decide", {}, among=("decide", "appeal decide")) == "decide"   # codes no table words
    assert code_of("三星级（AAA级）", {"AAA": ("AAA级", "AAA")}, words={"AAA": ["三星级（AAA级）"]}) == "AAA"
    # a code's own words come before another word of another code
    assert code_of("有效", CERTIFICATE_STATUSES, words={"expired": ["有效"]}) == "valid"


def test_the_three_callers_follow_the_one_rule_and_keep_their_wording():
    from ledger.commands import BY_NAME, choice_code
    from projections.finding import choose
    from projections.read import status_key

    status = BY_NAME["application transfer"].by_key["certificate_status"]
    for typed in ("susp", "暂停", "Suspended", "suspended"):
        assert choice_code(status, typed) == choose("status", typed, CERTIFICATE_STATUSES)[0] == status_key(typed) == "suspended"
    with pytest.raises(RuleViolation) as e:
        choice_code(status, "holiday")
    assert "certificate-status" in e.value.message_en and "valid (Active)" in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        choose("status", "holiday", CERTIFICATE_STATUSES)
    assert "--status" in e.value.message_en and "valid (Active)" in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        status_key("holiday")
    assert e.value.message_zh.startswith("未知的证书状态“holiday”")

"""拉出单子: every quantified target or result in a work plan's text, as draft ledger rows.

A record is a number with a unit ("38座", "1.23万户", "百分之九十"), or a rank ("全省第二" → 2 位), that is
not a date, a time or a serial. Around it, within its sentence, the extractor reads the qualifier (以上, 余,
约, 超过 …), the deadline as written (年内, 年底前 …), and whether it is a target (力争, 确保, 将, 要 …)
or a result (已, 完成了, 截至, 位列 …); when the sentence says neither, the paragraph's last one holds.
The owner is the last unit named before it (a district, a town, a bureau …), the campaign the last named
campaign (“九大攻坚行动”, 六大行动 …). The rules are general: no rule names a plan, a place or a figure."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from govgrid.nlp.plan_text import Readable

_CN_DIGITS = "零一二两三四五六七八九十百千"
UNITS = (  # longest first within a family; 万 and 亿 stay in the unit as written
    "平方公里", "平方米", "公里", "千米", "亿元", "万元", "元", "人（次）", "人(次)", "人次", "位次", "连冠", "大类",
    "%", "个", "项", "座", "条", "名", "人", "台", "方", "处", "块", "辆", "次", "户", "所", "套", "亩",
    "吨", "家", "件", "批", "栋", "间", "张", "场", "支", "棵", "株", "份", "宗", "类", "倍", "位", "强",
    "级", "米", "公顷", "千瓦", "床", "门", "孔", "盏", "根", "辆次", "余人",
)  # fmt: skip
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CN_DIGITS}]+)"
_MEASURE = re.compile(
    rf"(?P<before>约|近|超过|接近|过|前|达|逾)?(?P<number>{_NUMBER})(?P<magnitude>万|亿)?(?P<over>余|多)?"
    rf"(?P<unit>{_UNIT})(?P<after>以上|以内|左右|余)?"
)
_PERCENT = re.compile(rf"(?P<before>约|近|超过|接近)?百分之(?P<number>{_NUMBER})(?P<after>以上|以内|左右)?")
_RANK = re.compile(
    rf"(?:全市|全省|全国|全区|排名|位列|居|排在)[^,;。!?]{{0,6}}?第(?P<number>{_NUMBER})(?P<unit>位|名)?"
)
_BIG = re.compile(rf"(?P<number>[{_CN_DIGITS}]+)大(?P<rest>[\u4e00-\u9fa5]{{1,2}})")
_DATE_AFTER = re.compile(r"^(?:年|月|日|号|时|点|分|周|季度|世纪|月份|年度|届|期|版|T\d)")
_FALSE_UNITS = re.compile(
    r"^(?:个月|项目|条例|条件|方面|方式|方向|方案|处理|处置|名称|名单|台账|次数|户外|所在|所有|类型|人员|人民|人才|家庭|家门|倍增|级别|场所|件事|方法|支持|门户|米粮)"
)
_DEADLINES = re.compile(
    r"(年内|年底前|年底|今年|全年|上半年|下半年|\d{1,2}月底前|\d{1,2}月底|\d{4}年底前|\d{4}年前|明年|三年内|两年内|五年内)"
)
_CAMPAIGN = re.compile(
    r"“([^“”\d]{2,12}?(?:行动|年|工程|攻坚))”|([一二三四五六七八九十]大[\u4e00-\u9fa5]{0,4}?行动)"
)
_PLACE = re.compile(r"[\u4e00-\u9fa5]{2}(?:区|县|镇|街道|乡)")
_BODY = re.compile(
    r"[\u4e00-\u9fa5]{1,10}?(?:所|专项督导组|工作组|领导小组|队|站|中心)(?![\u4e00-\u9fa5]{0,1}[在的])"
)
_BUREAU = re.compile(r"(?<![\u4e00-\u9fa5])区[\u4e00-\u9fa5]{2,6}?(?:局|委|办)")
_GENERIC = re.compile(r"[全该本我各此每]|[小强城片园景社辖校街老旧]\w$")  # 全镇, 小区, 百强区: not names
_BAD_OWNER = re.compile(
    r"^(?:全区|全市|全镇|全省|城区|社区|该区|我区|本区|辖区|园区|片区|小区|景区|街区|城市|省市|市区|全县)"
)
_SENTENCE_END = re.compile(r"[。!?\n]")


@dataclass(frozen=True)
class Draft:
    quote: str
    start: int  # offsets of the quote in the original text
    end: int
    kind: str  # target | result
    subject: str
    value: float
    unit: str
    qualifier: str | None
    owner: str | None
    deadline: str | None
    campaign: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def number_value(text: str) -> float | None:
    """ "39" → 39, "1685.4" → 1685.4, "三十九" → 39, "两" → 2; None if it is not a number."""
    if not text:
        return None
    if text[0].isdigit():
        return float(text)
    import cn2an

    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def draft(text: str) -> list[Draft]:
    """Every quantified statement of a plan, in the order of the text."""
    page = Readable.of(text)
    t = page.text
    found: list[tuple[int, int, float, str, str | None]] = []  # start, end, value, unit, qualifier
    taken: list[tuple[int, int]] = []
    for m in _PERCENT.finditer(t):
        value = number_value(m["number"])
        if value is not None:
            found.append((m.start(), m.end(), value, "%", m["before"] or m["after"]))
            taken.append((m.start(), m.end()))
    for m in _RANK.finditer(t):
        value = number_value(m["number"])
        if value is not None and value < 1000:
            found.append((m.start("number") - 1, m.end(), value, "位", None))
            taken.append((m.start("number") - 1, m.end()))
    for m in _MEASURE.finditer(t):
        if any(a <= m.start("number") < b for a, b in taken) or not _is_measure(t, m):
            continue
        value = number_value(m["number"])
        if value is None:
            continue
        unit = re.sub(
            r"\s",
            "",
            page.quote(m.start("magnitude") if m["magnitude"] else m.start("unit"), m.end("unit"))[2],
        )
        qualifier = (m["before"] if m["before"] != "达" else None) or m["over"] or m["after"]  # 达 is a verb
        start = m.start("number") if m["before"] == "达" else m.start()
        found.append((start, m.end("unit"), value, unit, qualifier))
        taken.append((m.start(), m.end()))
    for m in _BIG.finditer(t):
        if any(a <= m.start() < b for a, b in taken) or "行动" in t[m.end("rest") : m.end("rest") + 4]:
            continue
        if m["rest"][0] == "类":
            continue  # 大类 is a unit above
        value = number_value(m["number"])
        if value is not None and value >= 3 and not _in_quoted_name(t, m.start()):
            found.append((m.start(), m.start("rest"), value, "大", None))
    found.sort()
    records = []
    mentions = _owners(t)
    plan_year = max((int(y) for y in _YEAR.findall(t)), default=0)
    kind_of_paragraph: dict[int, str] = {}
    for start, end, value, unit, qualifier in found:
        sentence_start, sentence_end = _sentence(t, start, end)
        sentence = t[sentence_start:sentence_end]
        paragraph = t.rfind("\n", 0, start)
        kind = _kind(t[sentence_start:end], sentence, t[paragraph + 1 : start], plan_year)
        kind = kind or kind_of_paragraph.get(paragraph)
        if kind is None:  # a statement on its own, such as a caption, is a fact unless it looks ahead
            right = t.find("\n", end)
            kind = "target" if _FUTURE.search(t, paragraph + 1, right if right > 0 else len(t)) else "result"
        kind_of_paragraph[paragraph] = kind
        quote_start = max(sentence_start, _clause_start(t, start))
        o_start, o_end, quote = page.quote(quote_start, end)
        records.append(
            Draft(
                quote=quote,
                start=o_start,
                end=o_end,
                kind=kind,
                subject=_subject(t, quote_start, start, end),
                value=value,
                unit=unit,
                qualifier=qualifier,
                owner=_owner(t, start, mentions),
                deadline=_deadline(t, sentence_start, sentence_end, start),
                campaign=_campaign(t, start),
            )
        )
    return records


def _is_measure(t: str, m: re.Match[str]) -> bool:
    after = t[m.end("unit") : m.end("unit") + 4]
    whole = t[m.start("unit") : m.start("unit") + 4]
    if _FALSE_UNITS.match(whole) or _DATE_AFTER.match(t[m.end("number") : m.end("number") + 3]):
        return False
    number = m["number"]
    if _in_quoted_name(t, m.start()) and t[m.start() - 1 : m.start()] != "“":
        return False  # part of a quoted name: “气十条”, “1+467”工作体系
    if not number[0].isdigit():
        if (number_value(number) or 0) < 10 and m["unit"] in ("个", "次", "场", "条", "项", "名", "位"):
            return False  # 三个环节, 九个方面, 六次全会: rhetoric more often than figures
        if len(number) == 1 and number in "一两" and m["unit"] not in ("%",):
            return False  # 一个, 两项: ordinary words more often than figures
        if t[m.end("unit") : m.end("unit") + 2] in ("行动", "工程") or after.startswith("大"):
            return False
    if m["unit"] in ("位", "名", "强") and not number[0].isdigit() and t[m.start() - 1 : m.start()] != "第":
        return m["unit"] == "强"
    before = t[max(0, m.start() - 1) : m.start()]
    return before not in ("第", "“") or m["unit"] in ("连冠", "位") or before == "“" and m["unit"] == "连冠"


def _in_quoted_name(t: str, at: int) -> bool:
    """Inside a short quotation with no sentence in it: a name (“气十条”, “九大攻坚行动”), not a speech."""
    opened, close = t.rfind("“", 0, at), t.find("”", at)
    if opened <= t.rfind("”", 0, at) or close < 0:
        return False
    return close - opened <= 16 and not re.search(r"[,，。;；!?]", t[opened:close])


def _sentence(t: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _SENTENCE_END.finditer(t, 0, start)), default=0)
    right = _SENTENCE_END.search(t, end)
    return left, right.start() if right else len(t)


def _clause_start(t: str, start: int) -> int:
    """Where the clause holding `start` begins (after a comma, an enumeration comma or a colon)."""
    cut = max(t.rfind(ch, 0, start) for ch in ",、:，；;")
    begin = cut + 1 if cut >= 0 else 0
    return max(begin, start - 24)


_FUTURE = re.compile(
    r"力争|确保|(?<![重主需只必紧首纲摘概])要(?![求点素害闻])|(?<![即])将|计划|目标|争取|预计|拟|年底前|年内|全年|今年"
)
_PAST = ("已", "截至", "累计", "位列", "稳居", "夺得", "去年", "上年", "同比", "完成了", "以来", "连日来", "近年来",
         "近日", "日前")  # fmt: skip
_PLAN_VERBS = ("着力", "推动", "实施", "打造", "建成", "新增", "开工", "升级", "启动", "达到", "投入", "建设")
_YEAR = re.compile(r"((?:19|20)\d\d)年")


def _kind(head: str, sentence: str, paragraph: str, plan_year: int) -> str | None:
    """target or result: the words before the figure in its sentence, then the whole sentence, then how its
    paragraph opens (连日来, 近年来 … report what was done); a plan's verbs (实施, 打造 …) say target last."""
    head = head[max(head.rfind(";"), head.rfind("；")) + 1 :]  # the clause the figure is in
    year = _YEAR.match(head)
    if year and int(year.group(1)) < plan_year and not _FUTURE.search(head):
        return "result"  # "2019年，历下区完成…" in a plan of 2020
    for words in (head, sentence):
        if _FUTURE.search(words):
            return "target"
        if any(cue in words for cue in _PAST):
            return "result"
    if any(cue in paragraph[:40] for cue in _PAST):
        return "result"
    if any(cue in sentence for cue in _PLAN_VERBS):
        return "target"
    return None


_VERBS = re.compile(
    r"^(?:完成|达到|实现|新增|打造|建成|投入|确保|力争|开工|实施|推进|组织|配备|安装|增购|清理|共计|累计|共|全区|全镇)+"
)


def _subject(t: str, clause_start: int, number_start: int, end: int) -> str:
    """What the figure measures: the words before it in its clause without the deadline and the verbs
    (年底前完成 … → …); when nothing is left, the words after it (1.23万户老旧小区改造 → 老旧小区改造)."""
    words = re.sub(r"^[^\u4e00-\u9fa5]+", "", t[clause_start:number_start].strip(' “”"'))
    words = _VERBS.sub("", _DEADLINES.sub("", _VERBS.sub("", words)))
    words = re.sub(r"(?:达到|超过|不低于|约|近|突破|完成|甚至超额完成|为|共计)+$", "", words)
    if len(words) >= 2:
        return words[-16:]
    after = re.match(r"[\u4e00-\u9fa5“”]{2,16}", t[end:])
    return after.group(0).strip("“”") if after else words


def _owners(t: str) -> list[tuple[int, str]]:
    """Every mention of a unit that can own a target: a place named at least twice in the plan (历下区,
    垛石镇), a bureau of the district (区农业农村局), or a body of a named place (垛石镇环卫所)."""
    places: dict[str, int] = {}
    for m in _PLACE.finditer(t):
        if not _BAD_OWNER.match(m.group(0)) and not _GENERIC.search(m.group(0)):
            places[m.group(0)] = places.get(m.group(0), 0) + 1
    named = {p for p, n in places.items() if n >= 2} or set(places)  # a short text may name its place once
    mentions = []
    for m in _PLACE.finditer(t):
        if m.group(0) in named:
            body = _BODY.match(t, m.end())
            mentions.append((m.start(), m.group(0) + (body.group(0) if body else "")))
    mentions += [(m.start(), m.group(0)) for m in _BUREAU.finditer(t)]
    return sorted(mentions)


def _owner(t: str, start: int, mentions: list[tuple[int, str]]) -> str | None:
    """The unit a quoted statement is attributed to (“…”区农业农村局表示), else the last one named before."""
    close = t.find("”", start)
    opened = t.rfind("“", 0, start)
    if opened > t.rfind("”", 0, start) and close > 0:
        after = [name for at, name in mentions if close < at <= close + 2]
        if after:
            return after[0]
    before = [name for at, name in mentions if at < start]
    if before:
        return before[-1]
    return mentions[0][1] if mentions else None


def _deadline(t: str, sentence_start: int, sentence_end: int, at: int) -> str | None:
    """As written in the sentence, the nearest before the figure, else the first after (never the 截至 of a
    result); else the time its paragraph opens with."""
    times = [
        m
        for m in _DEADLINES.finditer(t, sentence_start, sentence_end)
        if t[max(0, m.start() - 2) : m.start()] != "截至"
    ]
    before = [m for m in times if m.start() < at]
    if before or times:
        return (before[-1] if before else times[0]).group(1)
    paragraph = t.rfind("\n", 0, sentence_start) + 1
    opening = _DEADLINES.match(t, paragraph)
    return opening.group(1) if opening and opening.end() - paragraph <= 4 else None


def _campaign(t: str, start: int) -> str | None:
    names = [m.group(1) or m.group(2) for m in _CAMPAIGN.finditer(t, 0, start)]
    return names[-1] if names else None

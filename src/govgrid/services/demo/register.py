"""The demo communities' base register (一表通) — SYNTHETIC and labelled so, deterministic (seeded), and
entered through the same service as live entries (services.forms.register), by each community's own grid
worker: residents with valid-looking (checksummed, fictitious) ID numbers, houses and small businesses."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import Area, UnitGrid, User
from govgrid.domain.areas import AreaLevel
from govgrid.domain.forms import FormCatalog
from govgrid.domain.roles import Role
from govgrid.services.forms import register
from govgrid.services.people.accounts import actor_for

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华玉兰桂霞平刚"
SHOPS = [
    ("小餐饮", "饭店"),
    ("小商店", "便利店"),
    ("小美容洗浴", "理发店"),
    ("小生产加工", "加工坊"),
    ("小旅馆", "宾馆"),
]
PER_COMMUNITY = {"resident": 12, "house": 6, "enterprise": 3}
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def build_demo_register(
    session: Session, *, catalog: FormCatalog, area_code: str, now: datetime, key: bytes
) -> int:
    """Each community's residents, houses and shops, entered by its grid worker; the number entered."""
    rng = random.Random(f"register-{area_code}")
    workers = {
        u.scope_code: u
        for u in session.scalars(select(User).where(User.role == Role.GRID_WORKER.value).order_by(User.id))
    }
    communities = session.scalars(
        select(Area)
        .where(Area.level == AreaLevel.COMMUNITY.value, Area.code.startswith(area_code))
        .order_by(Area.code)
    ).all()
    entered = 0
    for community in communities:
        worker = workers.get(community.code)
        grids = session.scalars(
            select(UnitGrid.code).where(UnitGrid.code.startswith(community.code)).order_by(UnitGrid.code)
        ).all()
        if worker is None or not grids:
            continue
        actor = actor_for(worker)
        for kind, count in PER_COMMUNITY.items():
            for n in range(count):
                values = _values(rng, kind, community.name, area_code, n)
                register.add_entry(
                    session, actor=actor, catalog=catalog, kind=kind, grid_code=rng.choice(grids),
                    values=values, now=now - timedelta(days=rng.randint(1, 300)), key=key, synthetic=True,
                )  # fmt: skip
                entered += 1
    return entered


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def id_number(area_code: str, born: date, sequence: int) -> str:
    """A fictitious 居民身份证号码 of the district with its GB 11643 check digit."""
    body = f"{area_code}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def _values(rng: random.Random, kind: str, community: str, area_code: str, n: int) -> dict[str, object]:
    home = f"{community}{rng.randint(1, 30)}号楼{rng.randint(1, 4)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
    if kind == "resident":
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 66))
        values: dict[str, object] = {
            "person.name": _person(rng),
            "person.gender": rng.choice(("男", "女")),
            "person.id_number": id_number(area_code, born, rng.randrange(1000)),
            "person.birth_date": born.isoformat(),
            "person.phone": _phone(rng),
            "person.address": home,
            "person.household_address": f"济南市历下区{home}"
            if rng.random() < 0.7
            else "山东省聊城市东昌府区",
            "person.kind": rng.choice(("户籍人口", "户籍人口", "常住人口", "流动人口", "租户")),
        }
        if born.year < 1950 and rng.random() < 0.5:
            values["person.special_category"] = "独居老人"
        return values
    if kind == "house":
        use = rng.choice(("自住", "自住", "出租", "空置"))
        return {
            "house.address": home,
            "house.owner": _person(rng),
            "house.owner_phone": _phone(rng),
            "house.use": use,
            "house.tenants": rng.randint(1, 4) if use == "出租" else 0,
        }
    shop_kind, shop = rng.choice(SHOPS)
    return {
        "enterprise.name": f"{rng.choice(SURNAMES)}记{shop}（{community}{n + 1}号）",
        "enterprise.kind": shop_kind,
        "enterprise.address": f"{community}沿街商铺{rng.randint(1, 60)}号",
        "enterprise.contact": _person(rng),
        "enterprise.contact_phone": _phone(rng),
        "enterprise.employees": rng.randint(1, 12),
    }

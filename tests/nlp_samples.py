"""Hand-written citizen messages for the language-model tests that must run without ../shared: five per
category, in the raw format (留言主题, 留言详情, 一级标签), and files written from them."""

from __future__ import annotations

import csv
from pathlib import Path

MESSAGES = {
    "城乡建设": [
        ("小区电梯经常停运", "我们小区的电梯一个月坏了三次，物业一直不维修，老人上下楼很困难。"),
        ("楼顶水箱长期不清洗", "小区二次供水的水箱多年没有清洗，自来水有明显异味，请尽快处理。"),
        ("老旧小区改造进度缓慢", "老旧小区改造施工半年了，道路挖开一直没有恢复，雨天积水严重。"),
        ("物业乱收停车费", "物业公司擅自上调停车费，业主委员会不知情，请住建部门核查。"),
        ("安置房迟迟不能交房", "拆迁安置房约定去年交房，至今没有交付，拆迁户长期在外租房。"),
    ],
    "环境保护": [
        ("工厂夜间排放刺鼻废气", "附近化工厂每天夜里排放废气，气味刺鼻，居民不敢开窗，请环保部门检测。"),
        ("河道被排污染黑", "小河被上游养殖场排污，河水发黑发臭，鱼都死了。"),
        ("搅拌站噪音扰民", "小区旁边的混凝土搅拌站通宵作业，噪音和粉尘严重影响休息。"),
        ("餐馆油烟直排", "楼下烧烤店油烟没有净化直接排放，整栋楼都是油烟味。"),
        ("工地扬尘污染严重", "工地没有覆盖防尘网，刮风时扬尘很大，空气质量很差。"),
    ],
    "交通运输": [
        ("公交线路调整后出行不便", "公交车线路调整后，我们小区附近没有站点了，上班要步行两公里。"),
        ("出租车拒载绕路", "晚上打出租车司机拒载，还有司机故意绕路多收费，请运管部门处理。"),
        ("路口红绿灯时间太短", "学校门口路口的红绿灯行人通行时间太短，孩子过马路很危险。"),
        ("网约车平台违规运营", "网约车平台车辆没有营运证，存在安全隐患，希望交通部门查处。"),
        ("快递车辆乱停占道", "快递物流车辆每天在路边乱停，堵塞交通，通行困难。"),
    ],
    "商贸旅游": [
        ("超市销售过期食品", "在超市买到过期的牛奶，商家拒绝退换，请市场监管部门处理。"),
        ("景区门票乱涨价", "景区门票突然涨价，还强制捆绑购买观光车票，游客很不满。"),
        ("商家虚假宣传", "健身房办卡时承诺的课程全部没有，商家虚假宣传拒不退款。"),
        ("预付卡商家跑路", "美容店预付卡充值后店铺关门，老板联系不上，消费者损失严重。"),
        ("加油站缺斤少两", "加油站加油机计量不准，明显少加，请计量部门检查。"),
    ],
    "劳动和社会保障": [
        ("公司拖欠工资三个月", "我们在公司工作，老板已经拖欠工资三个月，多次讨要没有结果。"),
        ("单位不给缴纳社保", "单位一直没有给员工缴纳社会保险，请人社部门督促补缴。"),
        ("退休金计算有误", "办理退休后养老金计算有误，工龄少算了五年，请社保局复核。"),
        ("工伤认定迟迟不办", "去年在工地受伤，申请工伤认定半年了还没有结果。"),
        ("失业金申领困难", "申请失业保险金材料齐全，但一直审核不通过，请给予解释。"),
    ],
    "教育文体": [
        ("学校违规补课收费", "学校周末组织学生补课并收取费用，家长负担很重，请教育局查处。"),
        ("幼儿园学位不足", "小区配套幼儿园一直没有开园，孩子入园难，只能去很远的民办园。"),
        ("体育馆不对外开放", "政府投资建设的体育馆长期不对市民开放，希望免费或低收费开放。"),
        ("学区划分不合理", "今年学区划分调整，我们小区的孩子被划到很远的学校上学。"),
        ("教师有偿家教", "班主任老师在校外办辅导班，暗示学生参加，请教育部门调查。"),
    ],
    "卫生计生": [
        ("医院看病排队太久", "市医院挂号排队要三个小时，专家号根本挂不上，请改善就医流程。"),
        ("诊所非法行医", "小区附近的私人诊所没有执业资质，还给病人输液，存在安全隐患。"),
        ("二胎生育登记难办", "办理生育登记需要跑很多部门，材料反复提交，希望简化。"),
        ("医保报销比例太低", "住院费用医保报销比例太低，大病患者家庭负担很重。"),
        ("疫苗接种预约困难", "社区卫生服务中心疫苗接种预约一直约不上，孩子接种时间要过了。"),
    ],
}
COLUMNS = ("留言编号", "留言主题", "留言详情", "一级标签")


def rows() -> list[dict[str, str]]:
    out = []
    for label, messages in MESSAGES.items():
        for subject, body in messages:
            out.append(
                {"留言编号": str(len(out) + 1), "留言主题": subject, "留言详情": body, "一级标签": label}
            )
    return out


def write_raw(path: Path, items: list[dict[str, str]] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(items if items is not None else rows())
    return path


def write_segmented(path: Path) -> Path:
    from govgrid.nlp.segment import training_tokens

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text_segmented", "label"])
        for row in rows():
            writer.writerow(
                [" ".join(training_tokens(f"{row['留言主题']} {row['留言详情']}")), row["一级标签"]]
            )
    return path


def small_model(folder: Path):  # type: ignore[no-untyped-def]
    """A model trained on these messages (a second or so), saved in `folder` and loaded back."""
    from govgrid.nlp import classifier
    from govgrid.nlp.messages import read_labelled

    part = read_labelled(write_raw(folder / "messages.csv"))
    model = classifier.train(part.documents, part.labels, inputs=[part.describe()])
    model.save(folder / "classifier.npz")
    return classifier.load(folder / "classifier.npz")

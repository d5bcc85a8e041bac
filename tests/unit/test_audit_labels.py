def test_the_system_and_inbound_systems_are_named_in_chinese_and_people_as_recorded():
    from govgrid.domain.audit_labels import who_label

    assert who_label("system:sweeper") == "系统（督办巡检）"
    assert who_label("system:ledger") == "系统（台账预警）"
    assert who_label("connector:hotline12345", {"hotline12345": "12345 市民服务热线"}) == "12345 市民服务热线"
    assert who_label("connector:unknown") == "外部系统 unknown"
    assert who_label("吴刚") == "吴刚"

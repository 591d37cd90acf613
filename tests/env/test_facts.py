"""Facts survive JSON both ways, and a bad recorded file is refused with a clear message."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from torchworks.env.facts import facts_from_dict, load_facts, save_facts
from torchworks.env.jsonable import to_jsonable
from torchworks.errors import DataError


@pytest.mark.parametrize("name", ["rtx5090_cu124", "t4_driver470_cu128", "container_shm64m_l4",
                                  "a100x4_cpu_torch", "cpu_avx2_torchao_cp310",
                                  "h100x8_nccl_toolkit"])
def test_recorded_facts_round_trip_losslessly(recorded, name, tmp_path) -> None:
    facts = recorded(name)
    save_facts(facts, tmp_path / "again.json")
    assert load_facts(tmp_path / "again.json") == facts
    assert [p.name for p in tmp_path.iterdir()] == ["again.json"], "no temp file left behind"


def test_unknown_values_stay_unknown(recorded, tmp_path) -> None:
    facts = recorded("container_shm64m_l4")
    system = replace(facts.system, cgroup_cpu_limit=None, shm_total_bytes=None)
    facts = replace(facts, system=system)
    save_facts(facts, tmp_path / "f.json")
    again = load_facts(tmp_path / "f.json")
    assert again.system.cgroup_cpu_limit is None and again.system.shm_total_bytes is None


def test_missing_file_and_non_json_are_clear_errors(tmp_path) -> None:
    with pytest.raises(DataError, match="cannot read facts file"):
        load_facts(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1,\n  oops')
    with pytest.raises(DataError, match=r"is not JSON \(line 2"):
        load_facts(bad)


def test_every_schema_problem_is_named_at_once(recorded) -> None:
    data = to_jsonable(recorded("container_shm64m_l4"))
    data["torch"]["arch_list"] = "sm_90"
    data["nvml"]["gpus"][0]["cc_major"] = "8"
    del data["system"]["disk_path"]
    data["surprise"] = 1
    with pytest.raises(DataError) as err:
        facts_from_dict(json.loads(json.dumps(data)), source="user.json")
    message = str(err.value)
    for path in ("Facts.torch.arch_list: expected a list", "Facts.nvml.gpus[0].cc_major: "
                 "expected int", "Facts.system.disk_path: missing", "Facts.surprise: unknown key"):
        assert path in message
    assert "--collect" in err.value.fix


def test_other_schema_version_is_refused(recorded) -> None:
    data = to_jsonable(recorded("rtx5090_cu124"))
    data["schema_version"] = 99
    with pytest.raises(DataError, match="schema_version is 99"):
        facts_from_dict(data)
    with pytest.raises(DataError, match="expected a JSON object"):
        facts_from_dict([1, 2])

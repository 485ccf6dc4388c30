"""``tools/refresh_provider_facts.py`` reads provider schemas as the providers write them.

The checkouts here are minimal files in the providers' layouts, written for the test: an SDKv2 schema
(ForceNew on a top-level attribute, and on a nested one that must not count), a plugin-framework
schema (RequiresReplace), the ``names.Attr*`` constants, and a pulumi-aws ``AutoName`` declaration.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tools.refresh_provider_facts import DATA, camel, main

SDK_V2 = """
func ResourceParameterGroup() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			names.AttrARN: {Type: schema.TypeString, Computed: true},
			names.AttrDescription: {Type: schema.TypeString, Optional: true, ForceNew: true},
			names.AttrFamily: {Type: schema.TypeString, Required: true, ForceNew: true},
			names.AttrName: {
				Type: schema.TypeString, Optional: true, Computed: true, ForceNew: true,
				ValidateFunc: validation.StringLenBetween(1, 200),
			},
			"parameter": {
				Type: schema.TypeSet, Optional: true,
				Elem: &schema.Resource{Schema: map[string]*schema.Schema{
					"apply_method": {Type: schema.TypeString, Optional: true, ForceNew: true},
				}},
			},
		},
	}
}
"""
FRAMEWORK = """
func (r *deliverySourceResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"log_type": schema.StringAttribute{
				Required: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			names.AttrName: schema.StringAttribute{
				Required: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			names.AttrResourceARN: schema.StringAttribute{Required: true},
		},
	}
}
"""
CONSTS = 'const (\n\tAttrARN = "arn"\n\tAttrDescription = "description"\n\tAttrFamily = "family"\n\tAttrName = "name"\n)\n'
RESOURCES_GO = '"aws_rds_parameter_group": {\n\tFields: map[string]*tfbridge.SchemaInfo{\n\t\t"name": tfbridge.AutoName("name", 200, "-"),\n\t},\n},\n'


def _checkout(root: Path) -> tuple[Path, Path]:
    tf, pa = root / "tf", root / "pa"
    (tf / "internal" / "service" / "rds").mkdir(parents=True)
    (tf / "internal" / "service" / "logs").mkdir(parents=True)
    (tf / "internal" / "names").mkdir(parents=True)
    (tf / "internal" / "service" / "rds" / "parameter_group.go").write_text(SDK_V2)
    (tf / "internal" / "service" / "logs" / "delivery_source.go").write_text(FRAMEWORK)
    (tf / "internal" / "names" / "attr_consts_gen.go").write_text(CONSTS)
    (pa / "provider").mkdir(parents=True)
    (pa / "provider" / "resources.go").write_text(RESOURCES_GO)
    return tf, pa


def test_refresh_rederives_force_new_and_lengths_and_keeps_the_rest(tmp_path: Path) -> None:
    tf, pa = _checkout(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    for name in ("replacements.json", "provider-limits.json"):
        shutil.copy(DATA / name, data / name)
    assert main(["--terraform-aws", str(tf), "--pulumi-aws", str(pa), "--data", str(data)]) == 0
    replacements = json.loads((data / "replacements.json").read_text())["types"]
    limits = json.loads((data / "provider-limits.json").read_text())["types"]
    group = replacements["aws:rds/parameterGroup:ParameterGroup"]
    assert group["force_new"] == ["description", "family", "name"]  # nested apply_method does not count
    assert "note" in group  # hand-written context survives
    assert replacements["aws:cloudwatch/logDeliverySource:LogDeliverySource"]["force_new"] == [
        "logType",
        "name",
    ]
    assert limits["aws:rds/parameterGroup:ParameterGroup"]["autoname"]["max_length"] == 200
    # A type whose file is not in the checkout is kept, and said so.
    assert replacements["aws:iam/role:Role"]["force_new"] == ["name", "namePrefix", "path"]


def test_check_mode_reports_and_writes_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    tf, _ = _checkout(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    for name in ("replacements.json", "provider-limits.json"):
        shutil.copy(DATA / name, data / name)
    before = (data / "replacements.json").read_text()
    assert main(["--terraform-aws", str(tf), "--data", str(data), "--check"]) == 1
    assert (data / "replacements.json").read_text() == before
    assert "aws:rds/parameterGroup:ParameterGroup: force_new" in capsys.readouterr().out


def test_camel_case_is_pulumis() -> None:
    assert [camel(s) for s in ("kms_key_id", "name", "replication_group_id")] == [
        "kmsKeyId",
        "name",
        "replicationGroupId",
    ]

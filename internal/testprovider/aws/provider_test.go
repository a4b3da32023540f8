package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestEveryResourceHasAValidSchemaWithAnID(t *testing.T) {
	ctx := context.Background()
	for _, f := range New().Resources(ctx) {
		r := f()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "aws"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%s: %v", meta.TypeName, resp.Diagnostics)
		}
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("%s: invalid schema: %v", meta.TypeName, diags)
		}
		if _, ok := resp.Schema.Attributes["id"]; !ok {
			t.Errorf("%s has no id", meta.TypeName)
		}
	}
}

func TestApplyInventsIDsButNotReferences(t *testing.T) {
	typ := schemas["aws_security_group_rule"].Type().TerraformType(context.Background()).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["id"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	vals["source_security_group_id"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	vals["type"] = tftypes.NewValue(tftypes.String, "ingress")
	got, err := fillUnknowns("aws_security_group_rule", tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]tftypes.Value
	if err := got.As(&out); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := out["id"].As(&id); err != nil || !strings.HasPrefix(id, "sgr-") {
		t.Errorf("id = %q, %v; want an sgr- id", id, err)
	}
	if !out["source_security_group_id"].IsNull() {
		t.Errorf("an unset optional reference was filled in: %v", out["source_security_group_id"])
	}
}

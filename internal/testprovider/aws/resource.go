package aws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var _ resource.Resource = (*echoResource)(nil)

// echoResource stores whatever was planned. Apply replaces values that were
// unknown at plan time with deterministic stand-ins (ids derived from the
// planned object), which is enough to build prior state for update plans.
type echoResource struct {
	typeName string
}

func (r *echoResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.typeName
}

func (r *echoResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schemas[r.typeName]
}

func (r *echoResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	v, err := fillUnknowns(r.typeName, req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Create Error", "filling computed values: "+err.Error())
		return
	}
	resp.State.Raw = v
}

func (r *echoResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *echoResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	v, err := fillUnknowns(r.typeName, req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Update Error", "filling computed values: "+err.Error())
		return
	}
	resp.State.Raw = v
}

func (r *echoResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// fillUnknowns gives every unknown leaf a stable value. Computed-only
// strings (ids, ARNs) become ids shaped like AWS ones: a prefix from the
// resource type and a hash of the planned object and the attribute path.
// Optional+computed strings and collections the configuration left unset
// stay null, as AWS leaves them (a source_security_group_id is not invented
// for a CIDR rule); numbers become 1 and bools false.
func fillUnknowns(typeName string, planned tftypes.Value) (tftypes.Value, error) {
	seed := planned.String()
	attrs := schemas[typeName].Attributes
	return tftypes.Transform(planned, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		t := v.Type()
		steps := p.Steps()
		optional := true
		if len(steps) == 1 {
			if name, ok := steps[0].(tftypes.AttributeName); ok {
				if a, ok := attrs[string(name)]; ok {
					optional = a.IsOptional()
				}
			}
		}
		switch {
		case t.Is(tftypes.String) && optional:
			return tftypes.NewValue(t, nil), nil
		case t.Is(tftypes.String):
			sum := sha256.Sum256([]byte(typeName + p.String() + seed))
			id := idPrefix(typeName) + hex.EncodeToString(sum[:])[:17]
			if strings.Contains(p.String(), "arn") {
				id = "arn:aws:ec2:eu-west-1:123456789012:" + strings.TrimSuffix(idPrefix(typeName), "-") + "/" + id
			}
			return tftypes.NewValue(t, id), nil
		case t.Is(tftypes.Number):
			return tftypes.NewValue(t, big.NewFloat(1)), nil
		case t.Is(tftypes.Bool):
			return tftypes.NewValue(t, false), nil
		case t.Is(tftypes.List{}), t.Is(tftypes.Set{}), t.Is(tftypes.Map{}):
			return tftypes.NewValue(t, nil), nil
		default:
			return tftypes.NewValue(t, nil), nil
		}
	})
}

func idPrefix(typeName string) string {
	switch typeName {
	case "aws_vpc":
		return "vpc-"
	case "aws_subnet":
		return "subnet-"
	case "aws_security_group":
		return "sg-"
	case "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule":
		return "sgr-"
	case "aws_instance":
		return "i-"
	case "aws_launch_template":
		return "lt-"
	case "aws_eip":
		return "eipalloc-"
	case "aws_network_acl":
		return "acl-"
	case "aws_internet_gateway":
		return "igw-"
	case "aws_nat_gateway":
		return "nat-"
	case "aws_ec2_managed_prefix_list":
		return "pl-"
	default:
		return strings.TrimPrefix(typeName, "aws_") + "-"
	}
}

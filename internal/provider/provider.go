// Package provider wires the sre provider into terraform-plugin-framework:
// provider configuration, AWS clients and the registration of every type.
// Domain logic lives in internal/slo, internal/alerting and friends.
package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
)

var (
	_ provider.Provider              = &SREProvider{}
	_ provider.ProviderWithFunctions = &SREProvider{}
)

// New returns a constructor for the provider server.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &SREProvider{version: version} }
}

// SREProvider is the sre provider.
type SREProvider struct {
	version string
	clock   rollout.Clock
}

// NewWithClock is New with the clock rollouts wait on, for tests that run
// them on the emulator's clock.
func NewWithClock(version string, clock rollout.Clock) func() provider.Provider {
	return func() provider.Provider { return &SREProvider{version: version, clock: clock} }
}

// Clients is what resources and data sources receive as ProviderData.
type Clients struct {
	*awsclient.Clients
	DefaultTags map[string]string
	// Alarms is shared by every sre_alert_policy of the run, so their
	// refreshes share DescribeAlarms calls.
	Alarms *cwapi.Alarms
	// Clock drives rollouts' waits; nil is wall time. Tests set the
	// emulator's clock through NewWithClock.
	Clock rollout.Clock

	deps *rolloutDeps
}

// SREProviderModel is the provider block.
type SREProviderModel struct {
	Region                    types.String       `tfsdk:"region"`
	Profile                   types.String       `tfsdk:"profile"`
	SharedConfigFiles         types.List         `tfsdk:"shared_config_files"`
	SharedCredentialsFiles    types.List         `tfsdk:"shared_credentials_files"`
	AccessKey                 types.String       `tfsdk:"access_key"`
	SecretKey                 types.String       `tfsdk:"secret_key"`
	Token                     types.String       `tfsdk:"token"`
	MaxRetries                types.Int64        `tfsdk:"max_retries"`
	SkipCredentialsValidation types.Bool         `tfsdk:"skip_credentials_validation"`
	AssumeRole                []assumeRoleModel  `tfsdk:"assume_role"`
	Endpoints                 []endpointsModel   `tfsdk:"endpoints"`
	DefaultTags               []defaultTagsModel `tfsdk:"default_tags"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
}

type endpointsModel struct {
	AutoScaling types.String `tfsdk:"autoscaling"`
	CloudWatch  types.String `tfsdk:"cloudwatch"`
	EC2         types.String `tfsdk:"ec2"`
	ELBv2       types.String `tfsdk:"elbv2"`
	STS         types.String `tfsdk:"sts"`
}

type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

// Metadata sets the provider type name.
func (p *SREProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "sre"
	resp.Version = p.version
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)

func endpointAttr(service string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: fmt.Sprintf("URL of the %s endpoint, e.g. a VPC endpoint or the local emulator (`http://127.0.0.1:4566`).", service),
		Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^https?://[^/\s]+`), "must be an http:// or https:// URL")},
	}
}

// Schema defines the provider block, modelled on the AWS provider's.
func (p *SREProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The `sre` provider turns SRE practice into resources on AWS: SLOs with error budgets, " +
			"burn-rate alert policies and golden-AMI rollouts on Auto Scaling groups. Credentials and region are " +
			"loaded like the AWS provider loads them: provider arguments first, then the `AWS_*` environment " +
			"variables, then the shared config and credentials files.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region, e.g. `us-east-1`. Defaults to `AWS_REGION` / `AWS_DEFAULT_REGION` or the profile's region.",
				Validators:          []validator.String{stringvalidator.RegexMatches(regionPattern, "must be an AWS region name such as us-east-1")},
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile from the shared config/credentials files. Conflicts with `access_key`.",
			},
			"shared_config_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of shared config files. Defaults to `~/.aws/config`.",
			},
			"shared_credentials_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of shared credentials files. Defaults to `~/.aws/credentials`.",
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Static access key ID. Prefer the environment or a profile; set together with `secret_key`.",
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Static secret access key; set together with `access_key`.",
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Session token for temporary static credentials.",
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Maximum number of retries of a throttled or failed AWS call. Defaults to the SDK's standard retryer (2).",
				Validators:          []validator.Int64{int64validator.Between(0, 25)},
			},
			"skip_credentials_validation": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip the STS `GetCallerIdentity` call that checks credentials and reachability when the provider is configured.",
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.ListNestedBlock{
				MarkdownDescription: "Role to assume with STS `AssumeRole` after the base credentials are loaded.",
				Validators:          []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "ARN of the role to assume, `arn:aws:iam::<account>:role/<name>`.",
						Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/.+`), "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)")},
					},
					"session_name": schema.StringAttribute{Optional: true, MarkdownDescription: "Session name; defaults to `terraform-provider-sre`."},
					"external_id":  schema.StringAttribute{Optional: true, MarkdownDescription: "External ID the role's trust policy requires."},
					"duration":     schema.StringAttribute{Optional: true, MarkdownDescription: "Session duration such as `1h`; between 15m and 12h."},
				}},
			},
			"endpoints": schema.ListNestedBlock{
				MarkdownDescription: "Per-service endpoint overrides.",
				Validators:          []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"autoscaling": endpointAttr("Auto Scaling"),
					"cloudwatch":  endpointAttr("CloudWatch"),
					"ec2":         endpointAttr("EC2"),
					"elbv2":       endpointAttr("Elastic Load Balancing v2"),
					"sts":         endpointAttr("STS"),
				}},
			},
			"default_tags": schema.ListNestedBlock{
				MarkdownDescription: "Tags added to every taggable AWS object the provider creates, such as the CloudWatch alarms of alert policies. CloudWatch dashboards (owned by `sre_slo`) cannot be tagged.",
				Validators:          []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Key/value tags."},
				}},
			},
		},
	}
}

// Configure loads AWS configuration and checks the credentials once.
func (p *SREProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var data SREProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, unknownAttr := configFromModel(ctx, data)
	if unknownAttr != "" {
		resp.Diagnostics.AddAttributeError(path.Root(unknownAttr), "Unknown Provider Configuration",
			fmt.Sprintf("The provider attribute %s depends on a value known only after apply. "+
				"Set it from a variable or a value known at plan time.", unknownAttr))
		return
	}
	if d := data.AssumeRole; len(d) == 1 && d[0].Duration.ValueString() != "" {
		dur, err := time.ParseDuration(d[0].Duration.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("assume_role").AtListIndex(0).AtName("duration"), "Invalid Provider Configuration",
				fmt.Sprintf("assume_role.duration %q is not a duration such as 1h or 45m.", d[0].Duration.ValueString()))
			return
		}
		cfg.AssumeRole.Duration = dur
	}

	tflog.Debug(ctx, "configuring AWS clients", map[string]any{
		"region": cfg.Region, "profile": cfg.Profile, "static_credentials": cfg.AccessKey != "",
		"assume_role": cfg.AssumeRole != nil,
	})
	cl, err := awsclient.New(ctx, cfg)
	if err != nil {
		var fe *awsclient.FieldError
		if errors.As(err, &fe) {
			resp.Diagnostics.AddAttributeError(attrPath(fe.Attribute), "Invalid Provider Configuration",
				fmt.Sprintf("The sre provider's %s setting is not usable: %v", fe.Attribute, fe.Err))
			return
		}
		resp.Diagnostics.AddError("Configure Provider Error",
			fmt.Sprintf("The sre provider could not set up its AWS clients. Check region, credentials and endpoints.\n\n%v", err))
		return
	}
	clients := &Clients{Clients: cl, DefaultTags: map[string]string{}, Alarms: cwapi.NewAlarms(cl.CloudWatch, 0), Clock: p.clock, deps: &rolloutDeps{}}
	if len(data.DefaultTags) == 1 && !data.DefaultTags[0].Tags.IsNull() {
		resp.Diagnostics.Append(data.DefaultTags[0].Tags.ElementsAs(ctx, &clients.DefaultTags, false)...)
	}
	resp.DataSourceData = clients
	resp.ResourceData = clients
}

// attrPath maps "assume_role.role_arn" to the block's first element path.
func attrPath(attr string) path.Path {
	switch attr {
	case "assume_role.role_arn", "assume_role.duration":
		return path.Root("assume_role").AtListIndex(0).AtName(attr[len("assume_role."):])
	}
	if len(attr) > len("endpoints.") && attr[:len("endpoints.")] == "endpoints." {
		return path.Root("endpoints").AtListIndex(0).AtName(attr[len("endpoints."):])
	}
	return path.Root(attr)
}

// configFromModel converts the provider block; it returns the name of the
// first attribute whose value is unknown.
func configFromModel(ctx context.Context, m SREProviderModel) (awsclient.Config, string) {
	var c awsclient.Config
	for name, v := range map[string]types.String{"region": m.Region, "profile": m.Profile, "access_key": m.AccessKey, "secret_key": m.SecretKey, "token": m.Token} {
		if v.IsUnknown() {
			return c, name
		}
	}
	c.Region = m.Region.ValueString()
	c.Profile = m.Profile.ValueString()
	c.AccessKey = m.AccessKey.ValueString()
	c.SecretKey = m.SecretKey.ValueString()
	c.Token = m.Token.ValueString()
	if !m.MaxRetries.IsNull() {
		n := int(m.MaxRetries.ValueInt64())
		c.MaxRetries = &n
	}
	c.SkipCredentialsValidation = m.SkipCredentialsValidation.ValueBool()
	if !m.SharedConfigFiles.IsNull() {
		m.SharedConfigFiles.ElementsAs(ctx, &c.SharedConfigFiles, false)
	}
	if !m.SharedCredentialsFiles.IsNull() {
		m.SharedCredentialsFiles.ElementsAs(ctx, &c.SharedCredentialsFiles, false)
	}
	if len(m.AssumeRole) == 1 {
		ar := m.AssumeRole[0]
		c.AssumeRole = &awsclient.AssumeRole{RoleARN: ar.RoleARN.ValueString(), SessionName: ar.SessionName.ValueString(), ExternalID: ar.ExternalID.ValueString()}
	}
	if len(m.Endpoints) == 1 {
		e := m.Endpoints[0]
		c.Endpoints = awsclient.Endpoints{AutoScaling: e.AutoScaling.ValueString(), CloudWatch: e.CloudWatch.ValueString(),
			EC2: e.EC2.ValueString(), ELBv2: e.ELBv2.ValueString(), STS: e.STS.ValueString()}
	}
	return c, ""
}

// Resources lists the provider's resources.
func (p *SREProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewSLOResource,
		NewAlertPolicyResource,
		NewRolloutResource,
		NewRingRolloutResource,
	}
}

// DataSources lists the provider's data sources.
func (p *SREProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewCallerIdentityDataSource,
		NewErrorBudgetDataSource,
		NewSLOStatusDataSource,
	}
}

// Functions lists the provider-defined functions.
func (p *SREProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewErrorBudgetFunction,
		NewBurnRateThresholdFunction,
	}
}

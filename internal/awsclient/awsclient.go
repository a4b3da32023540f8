// Package awsclient builds the provider's AWS SDK clients the way users of
// the AWS provider expect: the SDK's standard credential and config chain,
// with explicit settings layered on top.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// Config is everything the provider block can set. Empty fields fall back to
// the SDK's environment variables and shared files.
type Config struct {
	Region                 string
	Profile                string
	SharedConfigFiles      []string
	SharedCredentialsFiles []string
	AccessKey              string
	SecretKey              string
	Token                  string
	AssumeRole             *AssumeRole
	Endpoints              Endpoints
	MaxRetries             *int // nil keeps the SDK default
	// SkipCredentialsValidation skips the STS GetCallerIdentity call.
	SkipCredentialsValidation bool
}

// AssumeRole is the role to assume after loading the base credentials.
type AssumeRole struct {
	RoleARN     string
	SessionName string
	ExternalID  string
	Duration    time.Duration
}

// Endpoints overrides service endpoints, e.g. to reach the emulator.
type Endpoints struct {
	AutoScaling string
	CloudWatch  string
	EC2         string
	ELBv2       string
	STS         string
}

// Clients are the SDK clients the provider's resources use. The EC2,
// Auto Scaling and ELBv2 clients are not among them: build them with
// NewEC2, NewAutoScaling and NewELBv2 where they are called.
type Clients struct {
	Config     aws.Config
	CloudWatch *cloudwatch.Client
	STS        *sts.Client
	Region     string
	AccountID  string
	CallerARN  string

	endpoints Endpoints
}

// Why the larger clients are built where they are called, not held in
// Clients: Clients reaches an interface (the framework's provider data),
// and the binary links text/template (through OPA), whose method lookup
// by name makes the linker keep every exported method of every type an
// interface value can reach. For the EC2 client that is every one of its
// operations, 19 MB of machine code (38 % of the binary); the Auto Scaling
// and ELBv2 clients add 3.4 MB more. Every `check` run maps a share of
// that. Keep these clients in local variables or in fields of types that
// never reach an interface (a struct of method values does not), so the
// linker keeps only the operations that are called; a test counts them.

// NewEC2 builds an EC2 client on the provider's configuration.
func NewEC2(cl *Clients) *ec2.Client {
	return ec2.NewFromConfig(cl.Config, endpoint[ec2.Options](cl.endpoints.EC2, func(o *ec2.Options, u *string) { o.BaseEndpoint = u }))
}

// NewAutoScaling builds an Auto Scaling client on the provider's
// configuration.
func NewAutoScaling(cl *Clients) *autoscaling.Client {
	return autoscaling.NewFromConfig(cl.Config, endpoint[autoscaling.Options](cl.endpoints.AutoScaling, func(o *autoscaling.Options, u *string) { o.BaseEndpoint = u }))
}

// NewELBv2 builds an Elastic Load Balancing v2 client on the provider's
// configuration.
func NewELBv2(cl *Clients) *elasticloadbalancingv2.Client {
	return elasticloadbalancingv2.NewFromConfig(cl.Config, endpoint[elasticloadbalancingv2.Options](cl.endpoints.ELBv2, func(o *elasticloadbalancingv2.Options, u *string) { o.BaseEndpoint = u }))
}

// FieldError names the provider attribute a configuration problem is about.
type FieldError struct {
	Attribute string
	Err       error
}

func (e *FieldError) Error() string { return e.Attribute + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

var regionRe = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)

// ValidRegion reports whether r looks like an AWS region name (us-east-1,
// ap-southeast-2, us-gov-west-1, eu-central-2).
func ValidRegion(r string) bool { return regionRe.MatchString(r) }

// Validate checks the settings that can be checked without calling AWS.
func (c Config) Validate() error {
	if c.Region != "" && !ValidRegion(c.Region) {
		return &FieldError{"region", fmt.Errorf("%q is not an AWS region name such as us-east-1", c.Region)}
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return &FieldError{"access_key", errors.New("access_key and secret_key must be set together")}
	}
	if c.Token != "" && c.AccessKey == "" {
		return &FieldError{"token", errors.New("token is only used with access_key and secret_key")}
	}
	if c.AccessKey != "" && c.Profile != "" {
		return &FieldError{"profile", errors.New("conflicting credentials: set either access_key/secret_key or profile, not both")}
	}
	if c.MaxRetries != nil && *c.MaxRetries < 0 {
		return &FieldError{"max_retries", fmt.Errorf("must be 0 or more, got %d", *c.MaxRetries)}
	}
	if ar := c.AssumeRole; ar != nil {
		if !strings.HasPrefix(ar.RoleARN, "arn:") || !strings.Contains(ar.RoleARN, ":role/") {
			return &FieldError{"assume_role.role_arn", fmt.Errorf("%q is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", ar.RoleARN)}
		}
		if ar.Duration != 0 && (ar.Duration < 15*time.Minute || ar.Duration > 12*time.Hour) {
			return &FieldError{"assume_role.duration", fmt.Errorf("must be between 15m and 12h, got %s", ar.Duration)}
		}
	}
	for _, ep := range []struct{ attr, v string }{
		{"endpoints.autoscaling", c.Endpoints.AutoScaling}, {"endpoints.cloudwatch", c.Endpoints.CloudWatch},
		{"endpoints.ec2", c.Endpoints.EC2}, {"endpoints.elbv2", c.Endpoints.ELBv2}, {"endpoints.sts", c.Endpoints.STS},
	} {
		if ep.v == "" {
			continue
		}
		u, err := url.Parse(ep.v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &FieldError{ep.attr, fmt.Errorf("%q is not an http(s) URL", ep.v)}
		}
	}
	return nil
}

// New loads the SDK configuration and builds the clients. Unless skipped it
// calls STS GetCallerIdentity, so bad credentials and unreachable endpoints
// fail at provider configuration with a clear message rather than mid-apply.
func New(ctx context.Context, c Config) (*Clients, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var opts []func(*config.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if len(c.SharedConfigFiles) > 0 {
		opts = append(opts, config.WithSharedConfigFiles(c.SharedConfigFiles))
	}
	if len(c.SharedCredentialsFiles) > 0 {
		opts = append(opts, config.WithSharedCredentialsFiles(c.SharedCredentialsFiles))
	}
	if c.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, c.Token)))
	}
	if c.MaxRetries != nil {
		attempts := *c.MaxRetries + 1
		opts = append(opts, config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = attempts })
		}))
	}
	// Never pass a custom HTTP client here: with AWS_CA_BUNDLE set the SDK
	// refuses it, and that error must not be ignored.
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, &FieldError{"region", errors.New("no region set: set region in the provider block or AWS_REGION in the environment")}
	}
	if !ValidRegion(cfg.Region) {
		return nil, &FieldError{"region", fmt.Errorf("%q (from the environment or shared config) is not an AWS region name such as us-east-1", cfg.Region)}
	}

	stsClient := sts.NewFromConfig(cfg, endpoint[sts.Options](c.Endpoints.STS, func(o *sts.Options, u *string) { o.BaseEndpoint = u }))
	if ar := c.AssumeRole; ar != nil {
		session := ar.SessionName
		if session == "" {
			session = "terraform-provider-sre"
		}
		prov := stscreds.NewAssumeRoleProvider(stsClient, ar.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = session
			if ar.ExternalID != "" {
				o.ExternalID = aws.String(ar.ExternalID)
			}
			if ar.Duration != 0 {
				o.Duration = ar.Duration
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(prov)
		stsClient = sts.NewFromConfig(cfg, endpoint[sts.Options](c.Endpoints.STS, func(o *sts.Options, u *string) { o.BaseEndpoint = u }))
	}

	cl := &Clients{
		Config:     cfg,
		Region:     cfg.Region,
		STS:        stsClient,
		CloudWatch: cloudwatch.NewFromConfig(cfg, endpoint[cloudwatch.Options](c.Endpoints.CloudWatch, func(o *cloudwatch.Options, u *string) { o.BaseEndpoint = u })),
		endpoints:  c.Endpoints,
	}
	if c.SkipCredentialsValidation {
		return cl, nil
	}
	id, err := stsClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, explainIdentityError(err, c)
	}
	cl.AccountID = aws.ToString(id.Account)
	cl.CallerARN = aws.ToString(id.Arn)
	return cl, nil
}

// InRegion returns the clients for another region with the same
// credentials and endpoint overrides, as a ring rollout across regions
// needs; the caller identity is the same account's.
func (cl *Clients) InRegion(region string) *Clients {
	if region == "" || region == cl.Region {
		return cl
	}
	cfg := cl.Config.Copy()
	cfg.Region = region
	out := *cl
	out.Config, out.Region = cfg, region
	out.CloudWatch = cloudwatch.NewFromConfig(cfg, endpoint[cloudwatch.Options](cl.endpoints.CloudWatch, func(o *cloudwatch.Options, u *string) { o.BaseEndpoint = u }))
	out.STS = sts.NewFromConfig(cfg, endpoint[sts.Options](cl.endpoints.STS, func(o *sts.Options, u *string) { o.BaseEndpoint = u }))
	return &out
}

func endpoint[O any](u string, set func(*O, *string)) func(*O) {
	return func(o *O) {
		if u != "" {
			set(o, aws.String(u))
		}
	}
}

// explainIdentityError turns the credential check's failure into advice.
// The message never includes secrets: only the access key ID's presence.
func explainIdentityError(err error, c Config) error {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &opErr) || errors.As(err, &dnsErr) {
		where := "the STS endpoint"
		if c.Endpoints.STS != "" {
			where = fmt.Sprintf("the STS endpoint %s (endpoints.sts)", c.Endpoints.STS)
		}
		return &FieldError{"endpoints.sts", fmt.Errorf("cannot reach %s; check the URL and that the service is running: %w", where, err)}
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "ExpiredToken", "MissingAuthenticationToken":
			return &FieldError{"access_key", fmt.Errorf("AWS rejected the credentials (%s); check access_key/secret_key, profile or the AWS_* environment variables: %w", apiErr.ErrorCode(), err)}
		case "AccessDenied":
			if c.AssumeRole != nil {
				return &FieldError{"assume_role.role_arn", fmt.Errorf("cannot assume role %s; check the role's trust policy and external_id: %w", c.AssumeRole.RoleARN, err)}
			}
		}
	}
	return fmt.Errorf("validate credentials with STS GetCallerIdentity (set skip_credentials_validation to skip): %w", err)
}

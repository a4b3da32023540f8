package awsemu

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/smithy-go"

	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
)

// clients are the provider's SDK clients plus those it builds only where
// it calls them (awsclient.NewEC2 and friends).
type clients struct {
	*awsclient.Clients
	EC2         *ec2.Client
	AutoScaling *autoscaling.Client
	ELBv2       *elasticloadbalancingv2.Client
}

// startEmulator runs an in-process emulator and returns SDK clients whose
// every endpoint points at it.
func startEmulator(t *testing.T) (*Server, *clients) {
	t.Helper()
	s := New(Options{})
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	cl, err := awsclient.New(context.Background(), awsclient.Config{
		Region: "us-east-1", AccessKey: DefaultAccessKey, SecretKey: DefaultSecretKey, MaxRetries: aws.Int(1),
		Endpoints: awsclient.Endpoints{AutoScaling: url, CloudWatch: url, EC2: url, ELBv2: url, STS: url},
	})
	if err != nil {
		t.Fatalf("clients against emulator: %v", err)
	}
	return s, &clients{Clients: cl, EC2: awsclient.NewEC2(cl), AutoScaling: awsclient.NewAutoScaling(cl), ELBv2: awsclient.NewELBv2(cl)}
}

// wantAPIError fails unless err is an AWS API error with the given code.
func wantAPIError(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want error code %s, got %s (%v)", code, ae.ErrorCode(), err)
	}
}

func TestSTS_CallerIdentityAndAssumeRole(t *testing.T) {
	_, cl := startEmulator(t)
	if cl.AccountID != DefaultAccountID {
		t.Fatalf("account = %q, want %q", cl.AccountID, DefaultAccountID)
	}
	url := *cl.STS.Options().BaseEndpoint
	assumed, err := awsclient.New(context.Background(), awsclient.Config{
		Region: "us-east-1", AccessKey: DefaultAccessKey, SecretKey: DefaultSecretKey,
		AssumeRole: &awsclient.AssumeRole{RoleARN: "arn:aws:iam::123456789012:role/deployer", SessionName: "ci"},
		Endpoints:  awsclient.Endpoints{STS: url},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sts::123456789012:assumed-role/deployer/session"; assumed.CallerARN != want {
		t.Fatalf("caller = %q, want %q", assumed.CallerARN, want)
	}
}

func TestAuth_WrongSecretIsRejected(t *testing.T) {
	s, _ := startEmulator(t)
	_, err := awsclient.New(context.Background(), awsclient.Config{
		Region: "us-east-1", AccessKey: DefaultAccessKey, SecretKey: "wrong", MaxRetries: aws.Int(1),
		Endpoints: awsclient.Endpoints{STS: s.URL()},
	})
	wantAPIError(t, err, "SignatureDoesNotMatch")
}

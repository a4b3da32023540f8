package awsclient

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func intp(n int) *int { return &n }

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		attr string // empty: valid
	}{
		{"an empty config defers to the SDK chain", Config{}, ""},
		{"a standard region", Config{Region: "eu-west-1"}, ""},
		{"a GovCloud region", Config{Region: "us-gov-west-1"}, ""},
		{"a region without dashes", Config{Region: "useast1"}, "region"},
		{"an upper-case region", Config{Region: "US-EAST-1"}, "region"},
		{"an access key without a secret", Config{AccessKey: "AKID"}, "access_key"},
		{"a secret without an access key", Config{SecretKey: "s"}, "access_key"},
		{"a token without keys", Config{Token: "t"}, "token"},
		{"static keys and a profile", Config{AccessKey: "a", SecretKey: "b", Profile: "p"}, "profile"},
		{"negative retries", Config{MaxRetries: intp(-1)}, "max_retries"},
		{"zero retries", Config{MaxRetries: intp(0)}, ""},
		{"a user ARN as role", Config{AssumeRole: &AssumeRole{RoleARN: "arn:aws:iam::123456789012:user/bob"}}, "assume_role.role_arn"},
		{"a role session of 5 minutes", Config{AssumeRole: &AssumeRole{RoleARN: "arn:aws:iam::123456789012:role/r", Duration: 5 * time.Minute}}, "assume_role.duration"},
		{"an endpoint without a scheme", Config{Endpoints: Endpoints{CloudWatch: "localhost:4566"}}, "endpoints.cloudwatch"},
		{"an https endpoint", Config{Endpoints: Endpoints{EC2: "https://ec2.internal"}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.attr == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Attribute != tc.attr {
				t.Fatalf("want an error on %s, got %v", tc.attr, err)
			}
		})
	}
}

func TestNew_RegionFromSharedConfigIsValidated(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, []byte("[profile odd]\nregion = moon-base\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	credFile := filepath.Join(dir, "credentials")
	if err := os.WriteFile(credFile, []byte("[odd]\naws_access_key_id = a\naws_secret_access_key = b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	_, err := New(context.Background(), Config{Profile: "odd", SharedConfigFiles: []string{cfgFile}, SharedCredentialsFiles: []string{credFile}, SkipCredentialsValidation: true})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Attribute != "region" || !strings.Contains(err.Error(), "moon-base") {
		t.Fatalf("want a region error naming moon-base, got %v", err)
	}
}

func TestNew_MissingProfileNamesTheProblem(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, []byte("[default]\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(context.Background(), Config{Profile: "nope", SharedConfigFiles: []string{cfgFile}, SharedCredentialsFiles: []string{cfgFile}})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("want an error naming the missing profile, got %v", err)
	}
}

func TestNew_ErrorsNeverContainTheSecret(t *testing.T) {
	const secret = "very-secret-key-value"
	// Nothing listens on port 9 of loopback: the credential check fails.
	_, err := New(context.Background(), Config{Region: "us-east-1", AccessKey: "AKID", SecretKey: secret, MaxRetries: intp(0),
		Endpoints: Endpoints{STS: "http://127.0.0.1:9"}})
	if err == nil {
		t.Fatal("want an error for an unreachable endpoint")
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error leaks the secret: %v", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Attribute != "endpoints.sts" {
		t.Fatalf("want an endpoints.sts error, got %v", err)
	}
}

package awsemu

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// tctx is the context every SDK call in these tests uses.
var tctx = context.Background()

// createTemplate makes a launch template whose version 1 uses ami.
func createTemplate(t *testing.T, cl *clients, name, ami string) string {
	t.Helper()
	out, err := cl.EC2.CreateLaunchTemplate(tctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(name),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{
			ImageId: aws.String(ami), InstanceType: ec2types.InstanceTypeT3Micro,
			SecurityGroupIds: []string{"sg-0123456789abcdef0"},
			UserData:         aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi"))),
			TagSpecifications: []ec2types.LaunchTemplateTagSpecificationRequest{{
				ResourceType: ec2types.ResourceTypeInstance,
				Tags:         []ec2types.Tag{{Key: aws.String("app"), Value: aws.String("login")}},
			}},
		},
	})
	if err != nil {
		t.Fatalf("CreateLaunchTemplate: %v", err)
	}
	return *out.LaunchTemplate.LaunchTemplateId
}

func newVersion(t *testing.T, cl *clients, ltID, ami string) int64 {
	t.Helper()
	out, err := cl.EC2.CreateLaunchTemplateVersion(tctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: aws.String(ltID), SourceVersion: aws.String("$Latest"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(ami)},
	})
	if err != nil {
		t.Fatalf("CreateLaunchTemplateVersion: %v", err)
	}
	return *out.LaunchTemplateVersion.VersionNumber
}

func TestEC2_Images(t *testing.T) {
	s, cl := startEmulator(t)
	base := s.AddImage("base-2026")
	reg, err := cl.EC2.RegisterImage(tctx, &ec2.RegisterImageInput{
		Name: aws.String("login-v2"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeImage,
			Tags: []ec2types.Tag{{Key: aws.String("release"), Value: aws.String("2")}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   *ec2.DescribeImagesInput
		want []string
	}{
		{"all images of the account are listed for owner self", &ec2.DescribeImagesInput{Owners: []string{"self"}}, []string{base, *reg.ImageId}},
		{"ids select images", &ec2.DescribeImagesInput{ImageIds: []string{base}}, []string{base}},
		{"name filter supports wildcards", &ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("name"), Values: []string{"login-*"}}}}, []string{*reg.ImageId}},
		{"tag filter matches tag values", &ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:release"), Values: []string{"2"}}}}, []string{*reg.ImageId}},
		{"another owner has no images here", &ec2.DescribeImagesInput{Owners: []string{"amazon"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := cl.EC2.DescribeImages(tctx, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, img := range out.Images {
				got = append(got, *img.ImageId)
				if img.State != ec2types.ImageStateAvailable || img.Name == nil {
					t.Fatalf("image %+v not available or unnamed", img)
				}
			}
			if !sameSet(got, tc.want) {
				t.Fatalf("images = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := cl.EC2.DeregisterImage(tctx, &ec2.DeregisterImageInput{ImageId: reg.ImageId}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, id, code string
	}{
		{"a deregistered image is not found", *reg.ImageId, "InvalidAMIID.NotFound"},
		{"a malformed image id is rejected", "ami-xyz", "InvalidAMIID.Malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cl.EC2.DescribeImages(tctx, &ec2.DescribeImagesInput{ImageIds: []string{tc.id}})
			wantAPIError(t, err, tc.code)
		})
	}
	_, err = cl.EC2.RegisterImage(tctx, &ec2.RegisterImageInput{Name: aws.String("base-2026")})
	wantAPIError(t, err, "InvalidAMIName.Duplicate")
}

func TestEC2_LaunchTemplateVersions(t *testing.T) {
	s, cl := startEmulator(t)
	ami1, ami2 := s.AddImage("v1"), s.AddImage("v2")
	id := createTemplate(t, cl, "login", ami1)

	if v := newVersion(t, cl, id, ami2); v != 2 {
		t.Fatalf("second version = %d, want 2", v)
	}
	vers, err := cl.EC2.DescribeLaunchTemplateVersions(tctx, &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateName: aws.String("login"), Versions: []string{"$Latest", "$Default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(vers.LaunchTemplateVersions) != 2 {
		t.Fatalf("got %d versions, want 2", len(vers.LaunchTemplateVersions))
	}
	latest, def := vers.LaunchTemplateVersions[0], vers.LaunchTemplateVersions[1]
	if *latest.VersionNumber != 2 || *latest.DefaultVersion || *latest.LaunchTemplateData.ImageId != ami2 {
		t.Fatalf("$Latest = %+v", latest)
	}
	// SourceVersion copies everything not restated.
	d := latest.LaunchTemplateData
	if d.InstanceType != ec2types.InstanceTypeT3Micro || len(d.SecurityGroupIds) != 1 || d.UserData == nil ||
		len(d.TagSpecifications) != 1 || *d.TagSpecifications[0].Tags[0].Value != "login" {
		t.Fatalf("version 2 did not inherit version 1's data: %+v", d)
	}
	if *def.VersionNumber != 1 || !*def.DefaultVersion || *def.LaunchTemplateData.ImageId != ami1 {
		t.Fatalf("$Default = %+v", def)
	}

	if _, err := cl.EC2.ModifyLaunchTemplate(tctx, &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: aws.String(id), DefaultVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	lts, err := cl.EC2.DescribeLaunchTemplates(tctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if lt := lts.LaunchTemplates[0]; *lt.DefaultVersionNumber != 2 || *lt.LatestVersionNumber != 2 || *lt.LaunchTemplateName != "login" {
		t.Fatalf("template after modify = %+v", lt)
	}

	del, err := cl.EC2.DeleteLaunchTemplateVersions(tctx, &ec2.DeleteLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"1", "2", "7"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.SuccessfullyDeletedLaunchTemplateVersions) != 1 || *del.SuccessfullyDeletedLaunchTemplateVersions[0].VersionNumber != 1 ||
		len(del.UnsuccessfullyDeletedLaunchTemplateVersions) != 2 {
		t.Fatalf("delete versions = %+v", del)
	}
	if code := del.UnsuccessfullyDeletedLaunchTemplateVersions[1].ResponseError.Code; code != ec2types.LaunchTemplateErrorCodeLaunchTemplateVersionDoesNotExist {
		t.Fatalf("missing version error = %s", code)
	}

	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"a duplicate name is rejected", func() error {
			_, err := cl.EC2.CreateLaunchTemplate(tctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("login"), LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(ami1)}})
			return err
		}, "InvalidLaunchTemplateName.AlreadyExistsException"},
		{"an unknown id is not found", func() error {
			_, err := cl.EC2.DescribeLaunchTemplates(tctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{"lt-0123456789abcdef0"}})
			return err
		}, "InvalidLaunchTemplateId.NotFound"},
		{"an unknown name is not found", func() error {
			_, err := cl.EC2.DescribeLaunchTemplates(tctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"nope"}})
			return err
		}, "InvalidLaunchTemplateName.NotFoundException"},
		{"a deleted version is not found", func() error {
			_, err := cl.EC2.DescribeLaunchTemplateVersions(tctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"1"}})
			return err
		}, "InvalidLaunchTemplateId.VersionNotFound"},
		{"a new version from a missing source version fails", func() error {
			_, err := cl.EC2.CreateLaunchTemplateVersion(tctx, &ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: aws.String(id), SourceVersion: aws.String("9"), LaunchTemplateData: &ec2types.RequestLaunchTemplateData{}})
			return err
		}, "InvalidLaunchTemplateId.VersionNotFound"},
		{"a missing default version is refused", func() error {
			_, err := cl.EC2.ModifyLaunchTemplate(tctx, &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: aws.String(id), DefaultVersion: aws.String("1")})
			return err
		}, "InvalidLaunchTemplateId.VersionNotFound"},
		{"a malformed template id is rejected", func() error {
			_, err := cl.EC2.DeleteLaunchTemplate(tctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: aws.String("template-1")})
			return err
		}, "InvalidLaunchTemplateId.Malformed"},
		{"a malformed image id in template data is rejected", func() error {
			_, err := cl.EC2.CreateLaunchTemplate(tctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("bad-ami"), LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("image-1")}})
			return err
		}, "InvalidAMIID.Malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code) })
	}

	if _, err := cl.EC2.DeleteLaunchTemplate(tctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateName: aws.String("login")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.EC2.DescribeLaunchTemplates(tctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}})
	wantAPIError(t, err, "InvalidLaunchTemplateId.NotFound")
}

func TestEC2_AvailabilityZonesAndInstanceErrors(t *testing.T) {
	_, cl := startEmulator(t)
	azs, err := cl.EC2.DescribeAvailabilityZones(tctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(azs.AvailabilityZones) != 3 || *azs.AvailabilityZones[0].ZoneName != "us-east-1a" || *azs.AvailabilityZones[0].ZoneId != "use1-az1" {
		t.Fatalf("zones = %+v", azs.AvailabilityZones)
	}
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"describing an unknown instance fails", func() error {
			_, err := cl.EC2.DescribeInstances(tctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
			return err
		}, "InvalidInstanceID.NotFound"},
		{"describing a malformed instance id fails", func() error {
			_, err := cl.EC2.DescribeInstances(tctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"instance-1"}})
			return err
		}, "InvalidInstanceID.Malformed"},
		{"terminating an unknown instance fails", func() error {
			_, err := cl.EC2.TerminateInstances(tctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
			return err
		}, "InvalidInstanceID.NotFound"},
		{"an unknown filter is rejected", func() error {
			_, err := cl.EC2.DescribeInstances(tctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("flavour"), Values: []string{"x"}}}})
			return err
		}, "InvalidParameterValue"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code) })
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

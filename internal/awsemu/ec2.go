package awsemu

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ec2State holds images, launch templates, instances and the region's
// zones and default subnets. Instances are shared with the Auto Scaling
// fleet simulation, which owns their lifecycle.
type ec2State struct {
	images    map[string]*image
	templates map[string]*launchTemplate // by id
	instances map[string]*instance
	zones     []string
	subnets   map[string]string // subnet id → zone
	vpcID     string
	ipSeq     int
}

type tag struct{ key, value string }

type image struct {
	id, name, description string
	created               time.Time
	tags                  []tag
}

type launchTemplate struct {
	id, name       string
	created        time.Time
	defaultVersion int
	latestVersion  int
	nextVersion    int
	versions       map[int]*ltVersion
	tags           []tag
}

type ltVersion struct {
	number      int
	description string
	created     time.Time
	data        ltData
}

// ltData is the subset of RequestLaunchTemplateData the emulator models.
type ltData struct {
	imageID, instanceType, userData, keyName string
	securityGroupIDs, securityGroups         []string
	tagSpecs                                 []tagSpec
}

type tagSpec struct {
	resourceType string
	tags         []tag
}

var ec2Ops = map[string]func(*Server, any) (any, error){
	"RegisterImage":                  queryOp((*Server).ec2RegisterImage),
	"DescribeImages":                 queryOp((*Server).ec2DescribeImages),
	"DeregisterImage":                queryOp((*Server).ec2DeregisterImage),
	"CreateLaunchTemplate":           queryOp((*Server).ec2CreateLaunchTemplate),
	"CreateLaunchTemplateVersion":    queryOp((*Server).ec2CreateLaunchTemplateVersion),
	"DescribeLaunchTemplates":        queryOp((*Server).ec2DescribeLaunchTemplates),
	"DescribeLaunchTemplateVersions": queryOp((*Server).ec2DescribeLaunchTemplateVersions),
	"ModifyLaunchTemplate":           queryOp((*Server).ec2ModifyLaunchTemplate),
	"DeleteLaunchTemplate":           queryOp((*Server).ec2DeleteLaunchTemplate),
	"DeleteLaunchTemplateVersions":   queryOp((*Server).ec2DeleteLaunchTemplateVersions),
	"DescribeInstances":              queryOp((*Server).ec2DescribeInstances),
	"TerminateInstances":             queryOp((*Server).ec2TerminateInstances),
	"DescribeAvailabilityZones":      queryOp((*Server).ec2DescribeAvailabilityZones),
}

func (s *Server) initEC2() {
	s.rs.ec2 = ec2State{
		images:    map[string]*image{},
		templates: map[string]*launchTemplate{},
		instances: map[string]*instance{},
		subnets:   map[string]string{},
		vpcID:     s.newID("vpc"),
	}
	for _, suffix := range []string{"a", "b", "c"} {
		zone := s.rs.name + suffix
		s.rs.ec2.zones = append(s.rs.ec2.zones, zone)
		s.rs.ec2.subnets[s.newID("subnet")] = zone
	}
}

// AddImage registers an available AMI and returns its id.
func (s *Server) AddImage(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	img := &image{id: s.newID("ami"), name: name, created: s.clock.Now()}
	s.rs.ec2.images[img.id] = img
	return img.id
}

// AddSubnet makes a subnet id known in a zone, for VPCZoneIdentifier.
func (s *Server) AddSubnet(id, zone string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rs.ec2.subnets[id] = zone
}

// DefaultSubnets returns the default subnet of each zone, in zone order.
func (s *Server) DefaultSubnets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, z := range s.rs.ec2.zones {
		for _, id := range sortedKeys(s.rs.ec2.subnets) {
			if s.rs.ec2.subnets[id] == z {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

// --- ids and errors ---

var (
	amiIDRe      = regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`)
	instanceIDRe = regexp.MustCompile(`^i-([0-9a-f]{8}|[0-9a-f]{17})$`)
	ltIDRe       = regexp.MustCompile(`^lt-([0-9a-f]{8}|[0-9a-f]{17})$`)
	ltNameRe     = regexp.MustCompile(`^[a-zA-Z0-9().\-/_]{3,128}$`)
)

func ec2Err(code, format string, args ...any) *APIError {
	return errCode(code, http.StatusBadRequest, format, args...)
}

func (s *Server) lookupImage(id string) (*image, error) {
	if !amiIDRe.MatchString(id) {
		return nil, ec2Err("InvalidAMIID.Malformed", "Invalid id: %q (expecting \"ami-...\")", id)
	}
	img, ok := s.rs.ec2.images[id]
	if !ok {
		return nil, ec2Err("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
	}
	return img, nil
}

// --- tags and filters ---

func ec2TagSpecs(p params, prefix string) []tagSpec {
	var out []tagSpec
	for _, sp := range p.structs(prefix) {
		ts := tagSpec{resourceType: sp.str("ResourceType")}
		for _, t := range sp.structs("Tag") {
			ts.tags = append(ts.tags, tag{t.str("Key"), t.str("Value")})
		}
		out = append(out, ts)
	}
	return out
}

func tagsFor(specs []tagSpec, resourceType string) []tag {
	var out []tag
	for _, sp := range specs {
		if sp.resourceType == resourceType {
			out = append(out, sp.tags...)
		}
	}
	return out
}

// setTag replaces or appends, keeping first-set order for stable output.
func setTag(tags []tag, key, value string) []tag {
	for i := range tags {
		if tags[i].key == key {
			tags[i].value = value
			return tags
		}
	}
	return append(tags, tag{key, value})
}

func tagValue(tags []tag, key string) (string, bool) {
	for _, t := range tags {
		if t.key == key {
			return t.value, true
		}
	}
	return "", false
}

func ec2TagSet(tags []tag) *X {
	items := make([]*X, 0, len(tags))
	for _, t := range tags {
		items = append(items, E("item", T("key", t.key), T("value", t.value)))
	}
	return List("tagSet", "item", items)
}

type ec2Filter struct {
	name   string
	values []string
}

func ec2Filters(p params) []ec2Filter {
	var out []ec2Filter
	for _, f := range p.structs("Filter") {
		out = append(out, ec2Filter{name: f.str("Name"), values: f.list("Value")})
	}
	return out
}

// globMatch implements EC2 filter wildcards: * and ?.
func globMatch(pattern, v string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == v
	}
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	ok, _ := regexp.MatchString(re, v)
	return ok
}

func anyMatch(patterns []string, v string) bool {
	for _, pat := range patterns {
		if globMatch(pat, v) {
			return true
		}
	}
	return false
}

// matchFilters applies EC2 filter semantics: values within a filter are
// ORed, filters are ANDed. fields maps a filter name to the resource's
// values for it; tag filters are handled generically.
func matchFilters(filters []ec2Filter, tags []tag, fields func(name string) ([]string, bool)) (bool, error) {
	for _, f := range filters {
		switch {
		case strings.HasPrefix(f.name, "tag:"):
			v, ok := tagValue(tags, strings.TrimPrefix(f.name, "tag:"))
			if !ok || !anyMatch(f.values, v) {
				return false, nil
			}
		case f.name == "tag-key":
			found := false
			for _, t := range tags {
				found = found || anyMatch(f.values, t.key)
			}
			if !found {
				return false, nil
			}
		default:
			vals, known := fields(f.name)
			if !known {
				return false, ec2Err("InvalidParameterValue", "The filter '%s' is invalid", f.name)
			}
			found := false
			for _, v := range vals {
				found = found || anyMatch(f.values, v)
			}
			if !found {
				return false, nil
			}
		}
	}
	return true, nil
}

// page slices n items by an opaque numeric token.
func page(n int, token string, max int) (start, end int, next string, err error) {
	if token != "" {
		start, err = strconv.Atoi(token)
		if err != nil || start < 0 || start > n {
			return 0, 0, "", errCode("InvalidNextToken", http.StatusBadRequest, "The token '%s' is invalid.", token)
		}
	}
	end = n
	if max > 0 && start+max < n {
		end = start + max
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

// --- images ---

func (s *Server) ec2RegisterImage(p params) (*X, error) {
	name, err := p.require("Name")
	if err != nil {
		return nil, err
	}
	for _, img := range s.rs.ec2.images {
		if img.name == name {
			return nil, ec2Err("InvalidAMIName.Duplicate", "AMI name %s is already in use by AMI %s", name, img.id)
		}
	}
	img := &image{id: s.newID("ami"), name: name, description: p.str("Description"), created: s.clock.Now(),
		tags: tagsFor(ec2TagSpecs(p, "TagSpecification"), "image")}
	s.rs.ec2.images[img.id] = img
	return E("Result", T("imageId", img.id)), nil
}

func (s *Server) ec2DescribeImages(p params) (*X, error) {
	ids := p.list("ImageId")
	for _, id := range ids {
		if _, err := s.lookupImage(id); err != nil {
			return nil, err
		}
	}
	owners := p.list("Owner")
	filters := ec2Filters(p)
	var items []*X
	for _, id := range sortedKeys(s.rs.ec2.images) {
		img := s.rs.ec2.images[id]
		if len(ids) > 0 && !contains(ids, id) {
			continue
		}
		if len(owners) > 0 && !contains(owners, "self") && !contains(owners, s.accountID) {
			continue
		}
		ok, err := matchFilters(filters, img.tags, func(name string) ([]string, bool) {
			switch name {
			case "name":
				return []string{img.name}, true
			case "image-id":
				return []string{img.id}, true
			case "state":
				return []string{"available"}, true
			case "owner-id":
				return []string{s.accountID}, true
			}
			return nil, false
		})
		if err != nil {
			return nil, err
		}
		if ok {
			items = append(items, s.imageXML(img))
		}
	}
	return E("Result", List("imagesSet", "item", items)), nil
}

func (s *Server) imageXML(img *image) *X {
	return E("item",
		T("imageId", img.id),
		T("imageLocation", s.accountID+"/"+img.name),
		T("imageState", "available"),
		T("imageOwnerId", s.accountID),
		T("creationDate", img.created.UTC().Format("2006-01-02T15:04:05.000Z")),
		Tbool("isPublic", false),
		T("architecture", "x86_64"),
		T("imageType", "machine"),
		T("name", img.name),
		Topt("description", img.description),
		T("rootDeviceType", "ebs"),
		T("rootDeviceName", "/dev/xvda"),
		T("virtualizationType", "hvm"),
		T("hypervisor", "xen"),
		ec2TagSet(img.tags),
	)
}

func (s *Server) ec2DeregisterImage(p params) (*X, error) {
	id, err := p.require("ImageId")
	if err != nil {
		return nil, err
	}
	if _, err := s.lookupImage(id); err != nil {
		return nil, err
	}
	delete(s.rs.ec2.images, id)
	return E("Result", Tbool("return", true)), nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// --- launch templates ---

// parseLTData overlays the request's LaunchTemplateData on base, so a new
// version built from SourceVersion inherits everything not restated.
func parseLTData(p params, base ltData) (ltData, error) {
	d := base
	if p.has("ImageId") {
		d.imageID = p.str("ImageId")
		if d.imageID != "" && !amiIDRe.MatchString(d.imageID) && !strings.HasPrefix(d.imageID, "resolve:ssm:") {
			return d, ec2Err("InvalidAMIID.Malformed", "Invalid id: %q (expecting \"ami-...\")", d.imageID)
		}
	}
	if p.has("InstanceType") {
		d.instanceType = p.str("InstanceType")
	}
	if p.has("KeyName") {
		d.keyName = p.str("KeyName")
	}
	if p.has("UserData") {
		d.userData = p.str("UserData")
		if _, err := base64.StdEncoding.DecodeString(d.userData); err != nil {
			return d, ec2Err("InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.")
		}
	}
	if p.has("SecurityGroupId") {
		d.securityGroupIDs = p.list("SecurityGroupId")
	}
	if p.has("SecurityGroup") {
		d.securityGroups = p.list("SecurityGroup")
	}
	if p.has("TagSpecification") {
		d.tagSpecs = ec2TagSpecs(p, "TagSpecification")
	}
	return d, nil
}

// findTemplate resolves LaunchTemplateId or LaunchTemplateName.
func (s *Server) findTemplate(id, name string) (*launchTemplate, error) {
	switch {
	case id != "" && name != "":
		return nil, ec2Err("InvalidParameterCombination", "The parameters LaunchTemplateId and LaunchTemplateName cannot be used together.")
	case id != "":
		if !ltIDRe.MatchString(id) {
			return nil, ec2Err("InvalidLaunchTemplateId.Malformed", "The specified launch template ID %s is malformed.", id)
		}
		lt, ok := s.rs.ec2.templates[id]
		if !ok {
			return nil, ec2Err("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
		}
		return lt, nil
	case name != "":
		for _, lt := range s.rs.ec2.templates {
			if lt.name == name {
				return lt, nil
			}
		}
		return nil, ec2Err("InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name %s, does not exist.", name)
	}
	return nil, errMissing("LaunchTemplateId or LaunchTemplateName")
}

// resolve maps "$Latest", "$Default", "" (default) or a number to a version.
func (lt *launchTemplate) resolve(v string) (*ltVersion, error) {
	n := lt.defaultVersion
	switch v {
	case "", "$Default":
	case "$Latest":
		n = lt.latestVersion
	default:
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			return nil, ec2Err("InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version %s for launch template %s", v, lt.id)
		}
	}
	ver, ok := lt.versions[n]
	if !ok {
		return nil, ec2Err("InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version %s for launch template %s", v, lt.id)
	}
	return ver, nil
}

func (s *Server) ec2CreateLaunchTemplate(p params) (*X, error) {
	name, err := p.require("LaunchTemplateName")
	if err != nil {
		return nil, err
	}
	if !ltNameRe.MatchString(name) {
		return nil, ec2Err("InvalidLaunchTemplateName.MalformedException", "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'")
	}
	for _, lt := range s.rs.ec2.templates {
		if lt.name == name {
			return nil, ec2Err("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
		}
	}
	if !p.has("LaunchTemplateData") {
		return nil, errMissing("LaunchTemplateData")
	}
	data, err := parseLTData(p.sub("LaunchTemplateData"), ltData{})
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	lt := &launchTemplate{id: s.newID("lt"), name: name, created: now, defaultVersion: 1, latestVersion: 1, nextVersion: 2,
		versions: map[int]*ltVersion{1: {number: 1, description: p.str("VersionDescription"), created: now, data: data}},
		tags:     tagsFor(ec2TagSpecs(p, "TagSpecification"), "launch-template")}
	s.rs.ec2.templates[lt.id] = lt
	return E("Result", s.ltXML("launchTemplate", lt)), nil
}

func (s *Server) ec2CreateLaunchTemplateVersion(p params) (*X, error) {
	lt, err := s.findTemplate(p.str("LaunchTemplateId"), p.str("LaunchTemplateName"))
	if err != nil {
		return nil, err
	}
	var base ltData
	if src := p.str("SourceVersion"); src != "" {
		v, err := lt.resolve(src)
		if err != nil {
			return nil, err
		}
		base = v.data
	}
	data, err := parseLTData(p.sub("LaunchTemplateData"), base)
	if err != nil {
		return nil, err
	}
	v := &ltVersion{number: lt.nextVersion, description: p.str("VersionDescription"), created: s.clock.Now(), data: data}
	lt.versions[v.number] = v
	lt.latestVersion = v.number
	lt.nextVersion++
	return E("Result", s.ltVersionXML("launchTemplateVersion", lt, v)), nil
}

func (s *Server) ec2DescribeLaunchTemplates(p params) (*X, error) {
	var lts []*launchTemplate
	ids, names := p.list("LaunchTemplateId"), p.list("LaunchTemplateName")
	for _, id := range ids {
		lt, err := s.findTemplate(id, "")
		if err != nil {
			return nil, err
		}
		lts = append(lts, lt)
	}
	for _, n := range names {
		lt, err := s.findTemplate("", n)
		if err != nil {
			return nil, err
		}
		lts = append(lts, lt)
	}
	if len(ids)+len(names) == 0 {
		for _, id := range sortedKeys(s.rs.ec2.templates) {
			lts = append(lts, s.rs.ec2.templates[id])
		}
	}
	filters := ec2Filters(p)
	var items []*X
	for _, lt := range lts {
		ok, err := matchFilters(filters, lt.tags, func(name string) ([]string, bool) {
			if name == "launch-template-name" {
				return []string{lt.name}, true
			}
			return nil, false
		})
		if err != nil {
			return nil, err
		}
		if ok {
			items = append(items, s.ltXML("item", lt))
		}
	}
	max, err := p.intOr("MaxResults", 0)
	if err != nil {
		return nil, err
	}
	start, end, next, err := page(len(items), p.str("NextToken"), max)
	if err != nil {
		return nil, err
	}
	return E("Result", List("launchTemplates", "item", items[start:end]), Topt("nextToken", next)), nil
}

func (s *Server) ec2DescribeLaunchTemplateVersions(p params) (*X, error) {
	lt, err := s.findTemplate(p.str("LaunchTemplateId"), p.str("LaunchTemplateName"))
	if err != nil {
		return nil, err
	}
	var vers []*ltVersion
	if want := p.list("LaunchTemplateVersion"); len(want) > 0 {
		seen := map[int]bool{}
		for _, w := range want {
			v, err := lt.resolve(w)
			if err != nil {
				return nil, err
			}
			if !seen[v.number] {
				seen[v.number] = true
				vers = append(vers, v)
			}
		}
	} else {
		for _, v := range lt.versions {
			vers = append(vers, v)
		}
	}
	minV, _ := strconv.Atoi(p.str("MinVersion"))
	maxV, _ := strconv.Atoi(p.str("MaxVersion"))
	sort.Slice(vers, func(i, j int) bool { return vers[i].number > vers[j].number })
	var items []*X
	for _, v := range vers {
		if (minV > 0 && v.number < minV) || (maxV > 0 && v.number > maxV) {
			continue
		}
		items = append(items, s.ltVersionXML("item", lt, v))
	}
	max, err := p.intOr("MaxResults", 0)
	if err != nil {
		return nil, err
	}
	start, end, next, err := page(len(items), p.str("NextToken"), max)
	if err != nil {
		return nil, err
	}
	return E("Result", List("launchTemplateVersionSet", "item", items[start:end]), Topt("nextToken", next)), nil
}

func (s *Server) ec2ModifyLaunchTemplate(p params) (*X, error) {
	lt, err := s.findTemplate(p.str("LaunchTemplateId"), p.str("LaunchTemplateName"))
	if err != nil {
		return nil, err
	}
	if dv := p.str("SetDefaultVersion"); dv != "" {
		v, err := lt.resolve(dv)
		if err != nil {
			return nil, err
		}
		lt.defaultVersion = v.number
	}
	return E("Result", s.ltXML("launchTemplate", lt)), nil
}

func (s *Server) ec2DeleteLaunchTemplate(p params) (*X, error) {
	lt, err := s.findTemplate(p.str("LaunchTemplateId"), p.str("LaunchTemplateName"))
	if err != nil {
		return nil, err
	}
	delete(s.rs.ec2.templates, lt.id)
	return E("Result", s.ltXML("launchTemplate", lt)), nil
}

func (s *Server) ec2DeleteLaunchTemplateVersions(p params) (*X, error) {
	lt, err := s.findTemplate(p.str("LaunchTemplateId"), p.str("LaunchTemplateName"))
	if err != nil {
		return nil, err
	}
	var ok, bad []*X
	fail := func(w, code, msg string) {
		n, _ := strconv.Atoi(w)
		bad = append(bad, E("item", T("launchTemplateId", lt.id), T("launchTemplateName", lt.name), Tint("versionNumber", n),
			E("responseError", T("code", code), T("message", msg))))
	}
	for _, w := range p.list("LaunchTemplateVersion") {
		n, err := strconv.Atoi(w)
		if _, exists := lt.versions[n]; err != nil || !exists {
			fail(w, "launchTemplateVersionDoesNotExist", "The specified launch template version does not exist.")
			continue
		}
		if n == lt.defaultVersion {
			fail(w, "unexpectedError", "Cannot delete the default version of a launch template.")
			continue
		}
		delete(lt.versions, n)
		ok = append(ok, E("item", T("launchTemplateId", lt.id), T("launchTemplateName", lt.name), Tint("versionNumber", n)))
	}
	// Version numbers are never reused; latest falls back to the highest left.
	lt.latestVersion = 0
	for n := range lt.versions {
		lt.latestVersion = max(lt.latestVersion, n)
	}
	return E("Result",
		List("successfullyDeletedLaunchTemplateVersionSet", "item", ok),
		List("unsuccessfullyDeletedLaunchTemplateVersionSet", "item", bad)), nil
}

func (s *Server) createdBy() string {
	return fmt.Sprintf("arn:aws:iam::%s:user/emulator", s.accountID)
}

func (s *Server) ltXML(name string, lt *launchTemplate) *X {
	return E(name,
		T("launchTemplateId", lt.id),
		T("launchTemplateName", lt.name),
		Ttime("createTime", lt.created),
		T("createdBy", s.createdBy()),
		Tint("defaultVersionNumber", lt.defaultVersion),
		Tint("latestVersionNumber", lt.latestVersion),
		ec2TagSet(lt.tags),
	)
}

func (s *Server) ltVersionXML(name string, lt *launchTemplate, v *ltVersion) *X {
	d := v.data
	var specs []*X
	for _, sp := range d.tagSpecs {
		specs = append(specs, E("item", T("resourceType", sp.resourceType), ec2TagSet(sp.tags)))
	}
	strs := func(name string, vals []string) *X {
		if len(vals) == 0 {
			return nil
		}
		items := make([]*X, 0, len(vals))
		for _, v := range vals {
			items = append(items, T("item", v))
		}
		return List(name, "item", items)
	}
	data := E("launchTemplateData",
		Topt("imageId", d.imageID),
		Topt("instanceType", d.instanceType),
		Topt("keyName", d.keyName),
		Topt("userData", d.userData),
		strs("securityGroupIdSet", d.securityGroupIDs),
		strs("securityGroupSet", d.securityGroups),
	)
	if len(specs) > 0 {
		data.Kids = append(data.Kids, List("tagSpecificationSet", "item", specs))
	}
	return E(name,
		T("launchTemplateId", lt.id),
		T("launchTemplateName", lt.name),
		Tint("versionNumber", v.number),
		Topt("versionDescription", v.description),
		Ttime("createTime", v.created),
		T("createdBy", s.createdBy()),
		Tbool("defaultVersion", v.number == lt.defaultVersion),
		data,
	)
}

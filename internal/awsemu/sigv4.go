package awsemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// authenticate verifies the SigV4 signature the way AWS does, so a client
// that silently sends unsigned or mis-signed requests (for example after an
// ignored config error) fails here as it would against AWS.
func (s *Server) authenticate(r *http.Request, body []byte) (service, accessKey, region string, err error) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		if strings.HasPrefix(r.URL.Path, "/service/") {
			service = "monitoring"
		}
		return service, "", "", errCode("MissingAuthenticationToken", http.StatusForbidden, "Request is missing Authentication Token")
	}
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(auth, algo) {
		return "", "", "", errCode("IncompleteSignature", http.StatusForbidden, "unsupported authorization scheme")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(auth[len(algo):], ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return "", "", "", errCode("IncompleteSignature", http.StatusForbidden, "malformed Credential in Authorization header")
	}
	accessKey = scope[0]
	date := scope[1]
	region = scope[2]
	service = scope[3]

	s.mu.Lock()
	cred, known := s.creds[accessKey]
	s.mu.Unlock()
	if !known {
		return service, "", "", errCode("InvalidClientTokenId", http.StatusForbidden, "The security token included in the request is invalid.")
	}
	if cred.sessionOf != "" && r.Header.Get("X-Amz-Security-Token") == "" {
		return service, "", "", errCode("InvalidClientTokenId", http.StatusForbidden, "temporary credentials require X-Amz-Security-Token")
	}
	if !cred.expires.IsZero() && s.clock.Now().After(cred.expires) {
		return service, "", "", errCode("ExpiredToken", http.StatusForbidden, "The security token included in the request is expired")
	}

	amzDate := r.Header.Get("X-Amz-Date")
	signed := strings.Split(fields["SignedHeaders"], ";")
	var canon strings.Builder
	canon.WriteString(r.Method + "\n")
	canon.WriteString(canonicalPath(r.URL) + "\n")
	canon.WriteString(canonicalQuery(r.URL.Query()) + "\n")
	for _, h := range signed {
		canon.WriteString(h + ":" + headerValue(r, h) + "\n")
	}
	canon.WriteString("\n" + fields["SignedHeaders"] + "\n")
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	canon.WriteString(payload)

	credScope := strings.Join(scope[1:], "/")
	reqHash := sha256.Sum256([]byte(canon.String()))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + credScope + "\n" + hex.EncodeToString(reqHash[:])
	key := hmacSHA256([]byte("AWS4"+cred.secret), date)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return service, "", "", errCode("SignatureDoesNotMatch", http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return service, accessKey, region, nil
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func canonicalPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return p
}

func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, sigEscape(k)+"="+sigEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

func sigEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return strconv.FormatInt(r.ContentLength, 10)
	}
	vals := r.Header.Values(http.CanonicalHeaderKey(name))
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// maxSinglePut is the largest object one S3 PUT may carry. Objects are
// always written with a single PUT: that is where S3 and compatible servers
// honour the conditional write (If-None-Match: *) write-once relies on.
const maxSinglePut = 5 << 30

// bucket is the S3 backend: one bucket of AWS S3 or of a compatible server
// (MinIO, Ceph, R2, …), objects under an optional key prefix.
type bucket struct {
	client *minio.Client
	name   string
	prefix string
}

// s3Params are the query parameters an s3:// URL may carry; anything else
// is refused so that a typo never goes unnoticed. prefix keeps every object
// under a key prefix; the others configure the client as the AWS SDKs do.
var s3Params = []string{"region", "endpoint", "use_path_style", "s3ForcePathStyle", "disable_https", "anonymous", "profile", "prefix"}

// openS3 opens s3://bucket?… . Credentials come, in this order, from the
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN variables, the
// shared AWS config and credentials files (AWS_PROFILE or ?profile=), and
// the instance, container or web-identity role.
func openS3(u *url.URL) (*Store, error) {
	desc := "s3://" + u.Host + u.Path
	if u.Host == "" {
		return nil, apperr.Invalidf("blob URL %s names no bucket", desc)
	}
	q := u.Query()
	for name := range q {
		if !slices.Contains(s3Params, name) {
			return nil, apperr.Invalidf("blob URL parameter %q is not supported: use %s", name, strings.Join(s3Params, ", "))
		}
	}
	host, opts, err := s3Options(q)
	if err != nil {
		return nil, err
	}
	c, err := minio.New(host, opts)
	if err != nil {
		return nil, fmt.Errorf("blob store %s: %w", desc, err)
	}
	c.SetS3EnableDualstack(false) // as the AWS SDKs: the plain regional endpoint
	return &Store{objects: &bucket{client: c, name: u.Host, prefix: q.Get("prefix")}, desc: desc}, nil
}

// s3Options turns the URL parameters into the server's host and the
// client's options.
func s3Options(q url.Values) (string, *minio.Options, error) {
	var flags struct{ pathStyle, legacyPathStyle, plainHTTP, anonymous bool }
	for name, dst := range map[string]*bool{
		"use_path_style": &flags.pathStyle, "s3ForcePathStyle": &flags.legacyPathStyle,
		"disable_https": &flags.plainHTTP, "anonymous": &flags.anonymous,
	} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return "", nil, apperr.Invalidf("blob URL parameter %s=%q is not true or false", name, v)
			}
			*dst = b
		}
	}
	host, secure, err := s3Endpoint(q.Get("endpoint"), flags.plainHTTP)
	if err != nil {
		return "", nil, err
	}
	opts := &minio.Options{
		Creds:      s3Credentials(flags.anonymous, q.Get("profile")),
		Secure:     secure,
		Region:     q.Get("region"),
		MaxRetries: 3, // as the AWS SDKs' standard retryer
	}
	if opts.Region == "" {
		opts.Region = os.Getenv("AWS_REGION")
	}
	switch {
	case flags.pathStyle || flags.legacyPathStyle:
		opts.BucketLookup = minio.BucketLookupPath
	case q.Get("endpoint") != "":
		// A named server is addressed as the AWS SDKs would: bucket.host.
		opts.BucketLookup = minio.BucketLookupDNS
	}
	return host, opts, nil
}

// s3Endpoint splits an endpoint URL into the host minio-go wants and
// whether to use TLS. Without an endpoint it is AWS S3 itself.
func s3Endpoint(endpoint string, plainHTTP bool) (host string, secure bool, err error) {
	if endpoint == "" {
		return "s3.amazonaws.com", !plainHTTP, nil
	}
	if !strings.Contains(endpoint, "://") {
		return endpoint, !plainHTTP, nil
	}
	e, err := url.Parse(endpoint)
	if err != nil || e.Host == "" || (e.Scheme != "http" && e.Scheme != "https") || (e.Path != "" && e.Path != "/") {
		return "", false, apperr.Invalidf("blob URL endpoint %q must be http(s)://host[:port]", endpoint)
	}
	return e.Host, e.Scheme == "https", nil
}

// s3Credentials is the usual AWS credential chain. With none found the
// requests go unsigned, which a private bucket refuses.
func s3Credentials(anonymous bool, profile string) *credentials.Credentials {
	if anonymous {
		return credentials.NewStaticV4("", "", "")
	}
	providers := []credentials.Provider{
		&credentials.EnvAWS{},
		&credentials.FileAWSCredentials{Profile: profile},
	}
	role := os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "" || os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "" ||
		os.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != ""
	if imds, _ := strconv.ParseBool(os.Getenv("AWS_EC2_METADATA_DISABLED")); role || !imds {
		providers = append(providers, &credentials.IAM{})
	}
	return credentials.NewChainCredentials(providers)
}

func (b *bucket) object(key string) string { return b.prefix + key }

func (b *bucket) attrs(ctx context.Context, key string) (int64, string, error) {
	info, err := b.client.StatObject(ctx, b.name, b.object(key), minio.StatObjectOptions{})
	if err != nil {
		return 0, "", s3Error(err)
	}
	return info.Size, info.Metadata.Get("X-Amz-Meta-" + metaSHA256), nil
}

func (b *bucket) open(ctx context.Context, key string) (io.ReadCloser, error) {
	body, _, _, err := minio.Core{Client: b.client}.GetObject(ctx, b.name, b.object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, s3Error(err)
	}
	return body, nil
}

func (b *bucket) create(ctx context.Context, key string, src io.Reader, size int64, sha256Hex string) error {
	if size > maxSinglePut {
		return apperr.Invalidf("blob %s is %d bytes, over the 5 GiB an S3 object may take in one write", key, size)
	}
	opts := minio.PutObjectOptions{
		ContentType:      "application/octet-stream",
		UserMetadata:     map[string]string{metaSHA256: sha256Hex},
		DisableMultipart: true,
	}
	opts.SetMatchETagExcept("*") // If-None-Match: * — create only
	if _, err := b.client.PutObject(ctx, b.name, b.object(key), src, size, opts); err != nil {
		return s3Error(err)
	}
	return nil
}

func (b *bucket) list(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	for obj := range b.client.ListObjects(ctx, b.name, minio.ListObjectsOptions{Prefix: b.object(prefix), Recursive: true}) {
		if obj.Err != nil {
			return nil, s3Error(obj.Err)
		}
		keys = append(keys, strings.TrimPrefix(obj.Key, b.prefix))
	}
	return keys, nil
}

// sync has nothing to do: an S3 write is durable when it is answered.
func (b *bucket) sync(context.Context) error { return nil }

// exclusive is false: some S3-compatible servers ignore If-None-Match.
func (b *bucket) exclusive() bool { return false }

func (b *bucket) close() error { return nil }

// s3Error classifies an S3 answer the way Store needs: a missing object (or
// bucket) wraps errNotExist, a failed create-only condition is errExists.
func s3Error(err error) error {
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return err
	}
	switch {
	case resp.Code == "PreconditionFailed" || resp.StatusCode == http.StatusPreconditionFailed:
		return fmt.Errorf("%w: %w", errExists, err)
	case resp.Code == "NoSuchKey" || resp.Code == "NoSuchBucket" || resp.Code == "NotFound" || resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %w", errNotExist, err)
	}
	return err
}

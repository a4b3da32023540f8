// Package cwapi holds the CloudWatch adapters: the few SDK calls behind the
// narrow interfaces of the pure packages (slostatus.Source, the alarm writer
// and reader of internal/alerting). Everything above it is testable without
// AWS; everything in it is exercised against internal/awsemu.
package cwapi

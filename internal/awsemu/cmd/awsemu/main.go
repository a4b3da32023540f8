// Command awsemu runs the AWS emulator as a standalone server on loopback,
// for the quickstart and for trying the provider without an AWS account.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4566", "listen address (keep it on loopback)")
	speed := flag.Float64("speed", 1, "how many times faster than real time the emulated clock runs")
	verbose := flag.Bool("v", false, "log every request")
	flag.Parse()

	opts := awsemu.Options{Clock: awsemu.NewWallClock(*speed)}
	if *verbose {
		opts.Logf = log.Printf
	}
	s := awsemu.New(opts)
	url, err := s.Start(*addr)
	if err != nil {
		log.Fatalf("awsemu: %v", err)
	}
	fmt.Printf("awsemu listening on %s\n", url)
	fmt.Printf("credentials: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s\n",
		awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, awsemu.DefaultRegion)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	_ = s.Close()
}

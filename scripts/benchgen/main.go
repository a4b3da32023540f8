// Command benchgen writes a synthetic `terraform show -json` plan for the
// checker's benchmarks (see internal/benchgen).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/sre-provider/terraform-provider-sre/internal/benchgen"
)

func main() {
	o := benchgen.Defaults(1000)
	flag.IntVar(&o.Resources, "resources", o.Resources, "approximate number of resource instances")
	flag.IntVar(&o.WorldEvery, "world-every", o.WorldEvery, "every Nth service opens 8080 to the world (0: none)")
	flag.IntVar(&o.SSHEvery, "ssh-every", o.SSHEvery, "every Nth service opens SSH to the world (0: none)")
	flag.StringVar(&o.Shape, "shape", benchgen.ShapeModules, "plan shape: "+strings.Join(benchgen.Shapes, ", "))
	out := flag.String("o", "-", "output file")
	flag.Parse()
	var err error
	if *out == "-" {
		err = benchgen.Write(os.Stdout, o)
	} else {
		err = benchgen.WriteFile(*out, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}

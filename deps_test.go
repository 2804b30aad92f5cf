package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestNotLinked: packages whose initialisation every process paid for a
// use tokentop does without stay out of the binary: golang.org/x/net/html
// (an entity table built at start, for reading error pages: providers
// has its own scanner), and, in the static build the README offers,
// gRPC's golang.org/x/net/trace with the html/template it pulls in.
func TestNotLinked(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	deps := func(flags ...string) []string {
		out, err := exec.Command(goTool(t), append(append([]string{"list", "-deps"}, flags...), ".")...).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", strings.Join(flags, " "), err)
		}
		return strings.Fields(string(out))
	}
	if all := deps(); !slices.Contains(all, "github.com/tokentop/tokentop/store") {
		t.Fatalf("go list -deps lists no store: %v", all)
	} else if slices.Contains(all, "golang.org/x/net/html") {
		t.Error("golang.org/x/net/html is linked again: its init builds the entity table in every process")
	}
	static := deps(staticBuild.flags...)
	for _, pkg := range []string{"golang.org/x/net/trace", "html/template", "golang.org/x/net/html"} {
		if slices.Contains(static, pkg) {
			t.Errorf("the static build links %s", pkg)
		}
	}
}

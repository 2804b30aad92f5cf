package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// rawStreamUsers are the only functions that may touch App.Stdout or
// App.Stderr: setting up the sanitising streams, the dashboard (Bubble Tea
// draws the terminal itself, from sanitised data), and call's body into a
// pipe, and exec's child, whose output is its own; the browser opener and
// the device prompt look at Stderr (is it a terminal, how wide) without
// writing to it. Everything else prints through a.out and a.errOut.
var rawStreamUsers = map[string]bool{
	"safeStreams": true, "NewApp": true, "needTerminal": true, "dashboardConfig": true, "dashboardOptions": true, "writeBody": true, "childCommand": true, "browserOpener": true, "withDevicePrompt": true,
}

// TestCommandsPrintOnlyThroughTheSanitiser reads the package's source: a
// raw write to the process's streams, a print to os.Stdout or a JSON
// encoder other than safetext.EncodeJSON would skip the one sanitiser.
func TestCommandsPrintOnlyThroughTheSanitiser(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, _ := sel.X.(*ast.Ident)
				switch {
				case (sel.Sel.Name == "Stdout" || sel.Sel.Name == "Stderr") && !rawStreamUsers[fn.Name.Name]:
					t.Errorf("%s: %s uses %s directly; print through a.out or a.errOut", fset.Position(sel.Pos()), fn.Name.Name, sel.Sel.Name)
				case pkg != nil && pkg.Name == "fmt" && strings.HasPrefix(sel.Sel.Name, "Print"):
					t.Errorf("%s: fmt.%s writes to the process's stdout; use a.out", fset.Position(sel.Pos()), sel.Sel.Name)
				case pkg != nil && pkg.Name == "json" && (sel.Sel.Name == "NewEncoder" || strings.HasPrefix(sel.Sel.Name, "Marshal")):
					t.Errorf("%s: json.%s leaves C1 controls raw; use safetext.EncodeJSON", fset.Position(sel.Pos()), sel.Sel.Name)
				}
				return true
			})
		}
	}
}

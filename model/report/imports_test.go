package report

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package decoupled: of dcsim's own packages it may
// import only sim (for sim.Stat), never model or cmd.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	const mod = "github.com/dcsim/dcsim/"
	for _, f := range files {
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, mod) && p != mod+"sim" && p != mod+"model/report" && p != mod+"model/report/browser" {
				t.Errorf("%s imports %s; report may import only %ssim of dcsim", f, p, mod)
			}
		}
	}
}

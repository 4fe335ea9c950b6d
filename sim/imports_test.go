package sim_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbiddenImports are the packages sim must never import: imports point
// one way, model → sim, and cmd sits on top of both (DESIGN.md, Layout).
var forbiddenImports = []string{
	module + "/model",
	module + "/cmd",
}

// module is dcsim's module path (spelt in two parts so that a grep for the
// forbidden import paths does not find this test).
const module = "github.com/dcsim" + "/dcsim"

// TestNoUpwardImports parses every .go file under sim/, tests included,
// and fails if one imports dcsim's model or cmd packages or anything
// beneath them.
func TestNoUpwardImports(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		files++
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			for _, bad := range forbiddenImports {
				if p == bad || strings.HasPrefix(p, bad+"/") {
					t.Errorf("%s imports %s: sim must not depend on model or cmd", fset.Position(imp.Pos()), p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 {
		t.Fatalf("found only %d .go files under sim/: is the test running in the package directory?", files)
	}
}

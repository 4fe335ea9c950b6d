package risk

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the annual mode independent of the simulation
// internals: of dcsim's own packages it may import only sim (streams,
// distributions, statistics) and model/results (atomic writes), never
// model itself — which is what lets model wire dcsim risk on top of it —
// nor cmd.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	const mod = "github.com/dcsim/dcsim/"
	allowed := map[string]bool{mod + "sim": true, mod + "model/results": true, mod + "model/risk": true}
	for _, f := range files {
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, mod) && !allowed[p] {
				t.Errorf("%s imports %s; model/risk may import only sim and model/results of dcsim", f, p)
			}
		}
	}
}

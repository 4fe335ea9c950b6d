// Package notebooks holds Jupyter notebooks for researchers; this test
// executes them against freshly generated results.
package notebooks

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExploreResultsNotebook runs dcsim on the example scenario, then
// executes explore-results.ipynb on the run's directory and on a compare
// directory with jupyter nbconvert, failing on any cell error (the notebook
// asserts that its quantiles equal summary.json's). It skips when jupyter
// is not installed unless DCSIM_REQUIRE_JUPYTER=1 (CI installs it).
func TestExploreResultsNotebook(t *testing.T) {
	if testing.Short() {
		t.Skip("runs dcsim and jupyter")
	}
	if _, err := exec.LookPath("jupyter-nbconvert"); err != nil {
		if os.Getenv("DCSIM_REQUIRE_JUPYTER") == "1" {
			t.Fatal("jupyter-nbconvert is required (DCSIM_REQUIRE_JUPYTER=1) but not installed")
		}
		t.Skip("jupyter-nbconvert not installed (apt-get install jupyter-nbconvert python3-pandas python3-matplotlib python3-ipykernel)")
	}
	tmp := t.TempDir()
	dcsim := filepath.Join(tmp, "dcsim")
	if out, err := exec.Command("go", "build", "-o", dcsim, "../cmd/dcsim").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	runDir := filepath.Join(tmp, "run")
	cmpDir := filepath.Join(tmp, "compare")
	for _, args := range [][]string{
		{"run", "../scenarios/example.toml", "-n", "200", "--out", runDir, "--no-plots", "-q"},
		{"compare", "../cmd/dcsim/testdata/invest.toml", "--all", "-n", "100", "--out", cmpDir, "--no-plots", "-q"},
	} {
		if out, err := exec.Command(dcsim, args...).CombinedOutput(); err != nil {
			t.Fatalf("dcsim %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, dir := range []string{runDir, cmpDir} {
		out := filepath.Join(tmp, filepath.Base(dir)+".ipynb")
		fig := filepath.Join(tmp, filepath.Base(dir)+".png")
		cmd := exec.Command("jupyter-nbconvert", "--to", "notebook", "--execute", "explore-results.ipynb", "--output", out)
		cmd.Env = append(os.Environ(), "DCSIM_RESULTS="+dir, "DCSIM_NOTEBOOK_FIG="+fig, "PYDEVD_DISABLE_FILE_VALIDATION=1")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("notebook on %s: %v\n%s", dir, err, b)
		}
		var nb struct {
			Cells []struct {
				Outputs []struct {
					OutputType string `json:"output_type"`
				} `json:"outputs"`
			} `json:"cells"`
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &nb); err != nil {
			t.Fatal(err)
		}
		for i, c := range nb.Cells {
			for _, o := range c.Outputs {
				if o.OutputType == "error" {
					t.Errorf("notebook on %s: cell %d raised an error", dir, i)
				}
			}
		}
		if st, err := os.Stat(fig); err != nil || st.Size() < 5000 {
			t.Errorf("notebook on %s drew no figure: %v", dir, err)
		}
	}
}

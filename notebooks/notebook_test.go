// Package notebooks holds Jupyter notebooks for researchers: run.ipynb for
// one run's results, investments.ipynb for a comparison's. The tests keep
// them committed without outputs and execute them against freshly generated
// results.
package notebooks

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// notebook is the part of the .ipynb format the tests read.
type notebook struct {
	NBFormat int `json:"nbformat"`
	Cells    []struct {
		CellType       string          `json:"cell_type"`
		Source         []string        `json:"source"`
		ExecutionCount json.RawMessage `json:"execution_count"`
		Outputs        []struct {
			OutputType string         `json:"output_type"`
			Text       []string       `json:"text"`
			Data       map[string]any `json:"data"`
			EName      string         `json:"ename"`
			EValue     string         `json:"evalue"`
		} `json:"outputs"`
	} `json:"cells"`
}

func readNotebook(t *testing.T, path string) notebook {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return nb
}

// TestNotebooksCommittedWithoutOutputs: a committed notebook holds no
// outputs or execution counts (they belong to whoever runs it, bloat the
// repository and go stale), and does not force a non-interactive
// matplotlib backend, which would hide the figures in Jupyter.
func TestNotebooksCommittedWithoutOutputs(t *testing.T) {
	paths, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 2 {
		t.Fatalf("found notebooks %v, want run.ipynb and investments.ipynb at least", paths)
	}
	for _, p := range paths {
		nb := readNotebook(t, p)
		if nb.NBFormat != 4 {
			t.Errorf("%s: nbformat %d, want 4", p, nb.NBFormat)
		}
		for i, c := range nb.Cells {
			if len(c.Outputs) > 0 {
				t.Errorf("%s: cell %d has %d outputs; clear them before committing (jupyter nbconvert --clear-output --inplace %s)", p, i, len(c.Outputs), p)
			}
			if ec := strings.TrimSpace(string(c.ExecutionCount)); ec != "" && ec != "null" {
				t.Errorf("%s: cell %d has execution_count %s; clear outputs before committing", p, i, ec)
			}
			src := strings.Join(c.Source, "")
			if strings.Contains(src, "matplotlib.use(") {
				t.Errorf("%s: cell %d sets a matplotlib backend: figures must show inline", p, i)
			}
		}
	}
}

// executed is what a notebook printed and drew when executed.
type executed struct {
	text    string // every stream and text/plain output, joined
	figures int    // image/png outputs
}

// execute runs the notebook with env added to the environment and returns
// what it output, failing on any cell error (nbconvert stops at the first).
func execute(t *testing.T, name, out string, env ...string) executed {
	t.Helper()
	cmd := exec.Command("jupyter-nbconvert", "--to", "notebook", "--execute", name, "--output", out)
	cmd.Env = append(append(os.Environ(), "PYDEVD_DISABLE_FILE_VALIDATION=1"), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("executing %s with %v: %v\n%s", name, env, err, b)
	}
	var e executed
	var text strings.Builder
	for i, c := range readNotebook(t, out).Cells {
		for _, o := range c.Outputs {
			switch o.OutputType {
			case "error":
				t.Errorf("%s: cell %d raised %s: %s", name, i, o.EName, o.EValue)
			case "stream":
				text.WriteString(strings.Join(o.Text, ""))
			}
			if _, ok := o.Data["image/png"]; ok {
				e.figures++
			}
			switch p := o.Data["text/plain"].(type) {
			case string:
				text.WriteString(p)
			case []any:
				for _, s := range p {
					text.WriteString(s.(string))
				}
			}
		}
	}
	e.text = text.String()
	return e
}

// TestNotebooks runs dcsim on the example scenario (a run) and on the
// investments test scenario (a comparison), then executes run.ipynb on the
// run and investments.ipynb on the comparison, without and with annual-risk
// results, with jupyter nbconvert. The notebooks assert that what they
// recompute from the tables equals summary.json and compare.json; this test
// checks they ran without error, drew their figures inline and took the
// right branch for risk.json. It skips when jupyter is not installed unless
// DCSIM_REQUIRE_JUPYTER=1 (CI installs it).
func TestNotebooks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs dcsim and jupyter")
	}
	if _, err := exec.LookPath("jupyter-nbconvert"); err != nil {
		if os.Getenv("DCSIM_REQUIRE_JUPYTER") == "1" {
			t.Fatal("jupyter-nbconvert is required (DCSIM_REQUIRE_JUPYTER=1) but not installed")
		}
		t.Skip("jupyter-nbconvert not installed (apt-get install jupyter-nbconvert python3-pandas python3-matplotlib python3-ipykernel)")
	}
	// The flags' environment variables would change the runs below.
	for _, v := range []string{"DCSIM_REPLICATIONS", "DCSIM_SEED", "DCSIM_WORKERS", "DCSIM_OUT", "DCSIM_QUIET"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
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
	risk, err := filepath.Abs("testdata/risk.json")
	if err != nil {
		t.Fatal(err)
	}

	r := execute(t, "run.ipynb", filepath.Join(tmp, "run.ipynb"), "DCSIM_RESULTS="+runDir, "DCSIM_BIN="+dcsim)
	if r.figures < 3 {
		t.Errorf("run.ipynb drew %d figures inline, want 3 (distributions, timeline, history)", r.figures)
	}
	if !strings.Contains(r.text, "changes of serving") || !strings.Contains(r.text, "after 200 replications") {
		t.Errorf("run.ipynb did not trace the typical replication or report the estimate's history:\n%s", r.text)
	}

	r = execute(t, "investments.ipynb", filepath.Join(tmp, "inv.ipynb"), "DCSIM_RESULTS="+cmpDir)
	if r.figures != 3 {
		t.Errorf("investments.ipynb without risk.json drew %d figures, want 3 (ALE, reductions, cost against risk)", r.figures)
	}
	if !strings.Contains(r.text, "No annual-risk results") {
		t.Errorf("investments.ipynb without risk.json does not say what is missing:\n%s", r.text)
	}
	r = execute(t, "investments.ipynb", filepath.Join(tmp, "inv-risk.ipynb"), "DCSIM_RESULTS="+cmpDir, "DCSIM_RISK="+risk)
	if r.figures != 4 || strings.Contains(r.text, "No annual-risk results") {
		t.Errorf("investments.ipynb with risk.json drew %d figures, want 4 with the exceedance curves:\n%s", r.figures, r.text)
	}
}

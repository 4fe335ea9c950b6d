package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dataScenario: a fire destroys 30% of the one domain holding db's only
// copy (no backup) and files' replica (with a backup at site t).
const dataScenario = `name = "data"
horizon = "2d"
[incident]
hazard = "battery_fire"
site = "s"
domain = "d"
start = 2022-10-15T15:00:00+09:00
[[sites]]
name = "s"
[sites.fire]
suppression_success = 0
destroyed_fraction = 0.3
[[sites.domains]]
name = "d"
servers = 1000
[[sites]]
name = "t"
[[sites.domains]]
name = "t1"
servers = 100
[[services]]
name = "db"
servers = 500
placement = [{ site = "s", share = 1.0 }]
data_tb = 8
[[services]]
name = "files"
servers = 500
placement = [{ site = "s", share = 1.0 }]
data_tb = 30
backups = [{ site = "t", interval = "24h", restore_tb_per_h = 2 }]
peak_users = 100
`

// TestCLIRunData: a run of a scenario with data reports what happened to
// it on stdout and in report.html, every number of which is summary.json's.
func TestCLIRunData(t *testing.T) {
	tmp := t.TempDir()
	sc := filepath.Join(tmp, "data.toml")
	if err := os.WriteFile(sc, []byte(dataScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "run")
	res := cliMust(t, "run", sc, "-n", "400", "--out", out)
	if !strings.Contains(res.stdout, "db: data lost for good in 0.") {
		t.Errorf("stdout does not give db's probability of losing its data:\n%s", res.stdout)
	}
	page := string(cliReadFile(t, filepath.Join(out, "report.html")))
	all, _ := reportMetrics(t, page)
	for _, k := range []string{"db.data_lost_for_good.mean", "db.data_lost_tb.mean", "files.data_restored_tb.mean", "files.data_restore_h.mean"} {
		if _, ok := all[k]; !ok {
			t.Errorf("report.html has no %s", k)
		}
	}
	if p := all["db.data_lost_for_good.mean"]; p < 0.2 || p > 0.4 {
		t.Errorf("db lost its data in %v of the replications, want about 0.3", p)
	}
	checkSummaryMetrics(t, all, readSummary(t, out), 0)
}

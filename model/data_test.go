package model

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/model/results"
)

// dataEdits adds data keys to validBase's service chat: extra lines after
// its failover line (lnFailover), so line k of extra is lnFailover + k.
func dataEdits(extra string) []edit {
	return []edit{{"p95 = \"10h\" } }\n", "p95 = \"10h\" } }\n" + extra}}
}

var dataCases = []struct {
	name  string
	edits []edit
	want  []want
}{
	{"replicas without data_tb", dataEdits("replicas = [{ site = \"alpha\" }]\n"),
		[]want{{"services[1].replicas", lnFailover + 1, `replicas of what? give the service's data size, data_tb = <TB>`}}},
	{"data_tb zero", dataEdits("data_tb = 0\n"),
		[]want{{"services[1].data_tb", lnFailover + 1, `must be positive, got 0`}}},
	{"no replica at all", dataEdits("data_tb = 4\nreplicas = []\n"),
		[]want{{"services[1].replicas", lnFailover + 2, `~needs at least one replica`}}},
	{"replica at an unknown site", dataEdits("data_tb = 4\nreplicas = [{ site = \"alpah\" }]\n"),
		[]want{{"services[1].replicas[0].site", lnFailover + 2, `unknown site "alpah" (did you mean "alpha"?)`}}},
	{"replica in an unknown hall", dataEdits("data_tb = 4\nreplicas = [{ site = \"alpha\", hall = \"h9\" }]\n"),
		[]want{{"services[1].replicas[0].hall", lnFailover + 2, `~unknown hall "h9" in site "alpha"`}}},
	{"replica with an unknown key", dataEdits("data_tb = 4\nreplicas = [{ site = \"alpha\", rack = \"r1\" }]\n"),
		[]want{{"services[1].replicas[0].rack", lnFailover + 2, `~unknown key "rack"`}}},
	{"backup without its restore rate", dataEdits("data_tb = 4\nbackups = [{ site = \"beta\", interval = \"24h\" }]\n"),
		[]want{{"services[1].backups[0].restore_tb_per_h", lnFailover + 2, `missing required key "restore_tb_per_h"`}}},
	{"backup without an interval", dataEdits("data_tb = 4\nbackups = [{ site = \"beta\", restore_tb_per_h = 2 }]\n"),
		[]want{{"services[1].backups[0].interval", lnFailover + 2, `missing required key "interval"`}}},
	{"backup interval zero", dataEdits("data_tb = 4\nbackups = [{ site = \"beta\", interval = \"0h\", restore_tb_per_h = 2 }]\n"),
		[]want{{"services[1].backups[0].interval", lnFailover + 2, `must be above 0`}}},
	{"backup restore rate negative", dataEdits("data_tb = 4\n\n[[services.backups]]\nsite = \"beta\"\ninterval = \"1d\"\nrestore_tb_per_h = -2\n"),
		[]want{{"services[1].backups[0].restore_tb_per_h", lnFailover + 6, `must be positive, got -2`}}},
	{"max_data_loss without a unit", []edit{{`auto = "10m",`, `auto = "10m", max_data_loss = 15,`}},
		[]want{{"services[1].failover.max_data_loss", lnFailover, `duration 15 has no unit; write e.g. "15h" or "15m"`}}},
	{"manual failover requiring an unknown service", []edit{{`auto = "10m",`, `auto = "10m", manual_requires = ["vpn"],`}},
		[]want{{"services[1].failover.manual_requires[0]", lnFailover, `unknown service "vpn"`}}},
	{"manual failover requiring itself", []edit{{`auto = "10m",`, `auto = "10m", manual_requires = ["ctl", "chat"],`}},
		[]want{{"services[1].failover.manual_requires[1]", lnFailover, `service "chat" cannot require itself for its own failover`}}},
	{"negative failover staff", []edit{{"[[sites]]\nname = \"alpha\"", "[operations]\nfailover_staff = -1\n\n[[sites]]\nname = \"alpha\""}},
		[]want{{"operations.failover_staff", lnSite0 + 1, `~-1`}}},
	{"negative restore bandwidth", []edit{{"[[sites]]\nname = \"alpha\"", "[operations]\nrestore_bandwidth = -1\n\n[[sites]]\nname = \"alpha\""}},
		[]want{{"operations.restore_bandwidth", lnSite0 + 1, `must not be negative, got -1`}}},
}

func TestDataValidation(t *testing.T) {
	for _, c := range dataCases {
		t.Run(c.name, func(t *testing.T) {
			checkIssues(t, issuesOf(t, applyEdits(t, validBase, c.edits)), c.want)
		})
	}
}

func TestDataDefaults(t *testing.T) {
	src := applyEdits(t, validBase, dataEdits("data_tb = 4\nbackups = [{ site = \"beta\", interval = \"12h\", restore_tb_per_h = 2 }]\n"))
	sc, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d := sc.Services[1].Data
	if d == nil || d.TB != 4 || len(d.Replicas) != 2 || d.Replicas[0].Site != 0 || d.Replicas[1].Site != 1 {
		t.Fatalf("data = %+v; want 4 TB with one replica where each placement puts servers (alpha, beta)", d)
	}
	if b := d.Backups[0]; b.Site != 1 || b.Interval != 12 || b.RestoreRate != 2 {
		t.Errorf("backup = %+v", b)
	}
	if sc.Services[0].Data != nil {
		t.Errorf("ctl has no data_tb but got %+v", sc.Services[0].Data)
	}
	if !math.IsInf(sc.Services[1].MaxDataLoss, 1) || sc.Ops.RestoreBandwidth != 0 {
		t.Errorf("max_data_loss %v, restore_bandwidth %v; want no limits by default", sc.Services[1].MaxDataLoss, sc.Ops.RestoreBandwidth)
	}
}

// copyLossScenario: one domain of 1000 servers, 500 of them the service's;
// a fire destroys 30% of them (150 + 150). The only replica is in the
// domain, so it is lost — and, without a backup, the data with it — with
// probability 0.3.
const copyLossScenario = `name = "copy-loss"
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
[[services]]
name = "db"
servers = 500
placement = [{ site = "s", share = 1.0 }]
data_tb = 8
`

// TestCopyLossProbability checks the loss rule against its formula: over
// 4,000 replications the fraction that lose the data for good is 0.3
// within 4 standard errors, every loss is of all 8 TB, and a seed fixes
// which replications lose it.
func TestCopyLossProbability(t *testing.T) {
	sc, err := Parse("copy-loss.toml", []byte(copyLossScenario))
	if err != nil {
		t.Fatal(err)
	}
	const n = 4000
	lostIn := func() []bool {
		r := NewReplication(Compile(sc))
		var out results.Outcome
		lost := make([]bool, n)
		for rep := range n {
			r.Run(sc.Seed, rep, &out)
			so := out.Services[0]
			if so.DataLostForGood == 1 {
				lost[rep] = true
				if so.DataLostTB != 8 || out.DataLostTB != 8 {
					t.Fatalf("replication %d lost %v TB (overall %v), want 8", rep, so.DataLostTB, out.DataLostTB)
				}
			} else if so.DataLostTB != 0 {
				t.Fatalf("replication %d: %v TB lost but not for good", rep, so.DataLostTB)
			}
		}
		return lost
	}
	a, b := lostIn(), lostIn()
	k := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("replication %d: lost %v, then %v with the same seed", i, a[i], b[i])
		}
		if a[i] {
			k++
		}
	}
	p, se := float64(k)/n, math.Sqrt(0.3*0.7/n)
	if math.Abs(p-0.3) > 4*se {
		t.Errorf("data lost in %.4f of %d replications, want 0.3 ± %.4f", p, n, 4*se)
	}
}

// scriptScenario returns the scenario of a script in testdata/scripts.
func scriptScenario(t *testing.T, name string) *Scenario {
	t.Helper()
	b, err := os.ReadFile("testdata/scripts/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\nscenario\n")
	j := strings.Index(s[i:], "\n----\n")
	sc, err := Parse(name, []byte(s[i+len("\nscenario\n"):i+j+1]))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestDataAllocatesNothing: restores, copy losses and policies allocate
// nothing once a Replication is warm.
func TestDataAllocatesNothing(t *testing.T) {
	for _, f := range []string{"data-restore-bandwidth.txt", "data-only-copy-burns.txt", "failover-policies.txt", "failover-staff.txt", "data-relocate.txt"} {
		sc := scriptScenario(t, f)
		r := NewReplication(Compile(sc))
		var out results.Outcome
		rep := 0
		for ; rep < 20; rep++ {
			r.Run(sc.Seed, rep, &out)
		}
		if a := testing.AllocsPerRun(20, func() { r.Run(sc.Seed, rep, &out); rep++ }); a != 0 {
			t.Errorf("%s: %v allocations per replication, want 0", f, a)
		}
	}
}

// dataRestoreScenario builds n services, each active-active at sites a
// and b with its only replica at a and a backup at b (restore rates 1 to
// 4 TB/h, sizes 1 to 20 TB), sharing 50 TB/h of restore bandwidth; a fire
// destroys every server of a, so all n restore at once.
func dataRestoreScenario(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `name = "data-restores"
horizon = "30d"
[incident]
hazard = "battery_fire"
site = "a"
domain = "a1"
start = 2022-10-15T15:00:00+09:00
[operations]
restore_bandwidth = 50
restore_crews = 8
[[sites]]
name = "a"
[sites.fire]
suppression_success = 0
destroyed_fraction = 1
server_lead_time = "60d"
[[sites.domains]]
name = "a1"
servers = %d
[[sites]]
name = "b"
[[sites.domains]]
name = "b1"
servers = %d
`, 10*n, 10*n)
	for s := range n {
		fmt.Fprintf(&b, `[[services]]
name = "svc%d"
mode = "active-active"
servers = 20
placement = [{ site = "a", share = 0.5 }, { site = "b", share = 0.5 }]
data_tb = %d
replicas = [{ site = "a" }]
backups = [{ site = "b", interval = "1d", restore_tb_per_h = %d }]
`, s, 1+s%20, 1+s%4)
	}
	return b.String()
}

// BenchmarkDataRestores: 1,000 services restoring from backup at once,
// sharing restore bandwidth; one replication per op.
//
//	go test -run '^$' -bench DataRestores -benchmem -count 5 ./model
func BenchmarkDataRestores(b *testing.B) {
	sc, err := Parse("data-restores.toml", []byte(dataRestoreScenario(1000)))
	if err != nil {
		b.Fatal(err)
	}
	benchReplications(b, sc)
}

// TestBackupInvestment: an investment that patches an off-site backup in
// (backups replace the service's list, as any non-table array does) turns
// the 30% chance of losing the data for good into none, and makes a
// restore take data_tb / restore_tb_per_h once servers are back.
func TestBackupInvestment(t *testing.T) {
	src := copyLossScenario + `
[[sites]]
name = "t"
[[sites.domains]]
name = "t1"
servers = 100

[[investments]]
name = "offsite-backup"
patch = { services = [{ name = "db", backups = [{ site = "t", interval = "24h", restore_tb_per_h = 2 }] }] }
`
	sc, err := Parse("backup.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	v, err := sc.Variant([]string{"offsite-backup"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	lost := func(sc *Scenario) (forGood, restored int, restoreH float64) {
		r := NewReplication(Compile(sc))
		var out results.Outcome
		for rep := range n {
			r.Run(sc.Seed, rep, &out)
			so := out.Services[0]
			forGood += int(so.DataLostForGood)
			if so.DataRestoredTB > 0 {
				restored++
				restoreH = max(restoreH, so.DataRestoreH)
			}
		}
		return
	}
	if k, _, _ := lost(sc); k < n/5 {
		t.Errorf("baseline: data lost for good in %d of %d replications, want about 30%%", k, n)
	}
	k, restored, h := lost(v)
	if k != 0 {
		t.Errorf("with an off-site backup: data lost for good in %d of %d replications, want 0", k, n)
	}
	if restored == 0 {
		t.Fatal("with an off-site backup: no replication restored the data")
	}
	// One restore at a time, nothing shared: exactly 8 TB / 2 TB/h.
	if math.Abs(h-4) > 1e-9 {
		t.Errorf("restore took %vh, want 8 TB / 2 TB/h = 4h", h)
	}
}

// TestStorageDamageLosesCopies: damage to storage equipment alone (heat,
// water) destroys the servers of storage services and loses the copies in
// their place like any other destruction: here every server of the place,
// so with probability 1.
func TestStorageDamageLosesCopies(t *testing.T) {
	src := strings.Replace(copyLossScenario, "servers = 500\n", "servers = 500\nequipment = \"storage\"\n", 1)
	src = strings.Replace(src, "servers = 1000\n", "servers = 500\n", 1) // the domain holds only the service
	sc, err := Parse("storage.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := NewReplication(Compile(sc))
	r.SetPolicy(Policy{NoBackground: true})
	r.Start(sc.Seed, 0)
	if n := r.fleet.destroyClasses(0, 1, EquipStorage, true); n != 500 {
		t.Fatalf("storage damage destroyed %d servers, want the service's 500", n)
	}
	if !r.data.lost[0] {
		t.Fatal("the replica survived the destruction of every server of its place")
	}
}

// TestGroupMembersKeepTheirCopies: members of a group spread over domains
// keep their default replica in their own domain.
func TestGroupMembersKeepTheirCopies(t *testing.T) {
	src := applyEdits(t, validBase, append(slices.Clone(campusEdits),
		edit{"[[services]]\nname = \"ctl\"\nservers = 10\nplacement = [{ site = \"alpha\", share = 1.0 }]",
			"[[services]]\nname = \"ctl\"\nservers = 10\ncount = 2\nspread = \"domain\"\nplacement = [{ site = \"alpha\", share = 1.0 }]\ndata_tb = 1"}))
	sc, err := Parse("group.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var halls []int
	for _, s := range sc.Services {
		if s.Group != "ctl" {
			continue
		}
		if s.Data == nil || len(s.Data.Replicas) != 1 || !slices.Equal(s.Data.Replicas[0].Domains, s.Placement[0].Domains) {
			t.Fatalf("member %s: replicas %+v, placement %+v", s.Name, s.Data, s.Placement)
		}
		halls = append(halls, s.Placement[0].Domains...)
	}
	if len(halls) != 2 || halls[0] == halls[1] {
		t.Errorf("members' replicas in domains %v, want one in each domain of alpha", halls)
	}
}

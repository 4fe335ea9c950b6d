package report_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/sim"
)

// A plain run: a recovery CDF saved as SVG, and the same chart in an HTML
// report with a headline, a service table and the run's identity.
func Example() {
	dir, err := os.MkdirTemp("", "report-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	talk := []float64{8.1, 9.7, 10.4, 10.9, 12.2, 16.3} // hours, one per replication
	pay := []float64{18, 21, 22.5, 24, 30, 41}
	cdf := report.NewRecoveryCDF("Time to recover after a fire at pangyo", []report.CDFSeries{
		{Label: "kakaotalk", Values: talk},
		{Label: "kakaopay", Values: pay},
	})
	if err := cdf.Save(filepath.Join(dir, "ttr.svg")); err != nil {
		log.Fatal(err)
	}

	st := sim.Summarize(talk)
	page := report.Page{
		Title: "Battery fire at pangyo",
		Headline: []report.Part{
			report.Text("A battery fire at pangyo takes kakaotalk down for "),
			report.Num("kakaotalk.time_to_recover_h.p50", st.P50, "h"),
			report.Text(" at the median."),
		},
		Services: []report.ServiceRow{{Service: "kakaotalk", TimeToRecoverH: st}},
		Charts:   []report.Chart{cdf},
		Run:      report.Run{Tool: "dcsim", Seed: 1, Replications: len(talk), Complete: true},
	}
	if err := report.WriteHTML(filepath.Join(dir, "report.html"), page); err != nil {
		log.Fatal(err)
	}
	fmt.Println("median", report.FormatNumber(st.P50), "h")
	// Output: median 10.7 h
}

func ExampleFormatNumber() {
	for _, x := range []float64{10.43, 127.5, 12345, 4.2e9, 0.000123} {
		fmt.Println(report.FormatNumber(x))
	}
	// Output:
	// 10.4
	// 128
	// 12,300
	// 4.2 bn
	// 1.23e-4
}

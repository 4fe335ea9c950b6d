package results

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// serviceRow and overallRow are the rows of replications.parquet and
// overall.parquet: the CSV tables with the same column names and order
// (TestParquetColumnsMatchCSV keeps them in step), every cell filled.
type serviceRow struct {
	Replication    int64   `parquet:"replication"`
	Option         string  `parquet:"option,dict"`
	Incident       string  `parquet:"incident,dict"`
	Service        string  `parquet:"service,dict"`
	TimeToRecoverH float64 `parquet:"time_to_recover_h"`
	OutageH        float64 `parquet:"outage_h"`
	UserHoursLost  float64 `parquet:"user_hours_lost"`
	RequestsLost   float64 `parquet:"requests_lost"`
	RevenueLost    float64 `parquet:"revenue_lost"`
	DataLostS      float64 `parquet:"data_lost_s"`
	DataRestoredTB float64 `parquet:"data_restored_tb"`
	DataRestoreH   float64 `parquet:"data_restore_h"`
	DataLostTB     float64 `parquet:"data_lost_tb"`
	DataLostGood   float64 `parquet:"data_lost_for_good"`
}

type overallRow struct {
	Replication           int64   `parquet:"replication"`
	Option                string  `parquet:"option,dict"`
	Incident              string  `parquet:"incident,dict"`
	AllServicesRecoveredH float64 `parquet:"all_services_recovered_h"`
	UserHoursLost         float64 `parquet:"user_hours_lost"`
	RequestsLost          float64 `parquet:"requests_lost"`
	RevenueLost           float64 `parquet:"revenue_lost"`
	MaxDataLostS          float64 `parquet:"max_data_lost_s"`
	HardwareCost          float64 `parquet:"hardware_cost"`
	Loss                  float64 `parquet:"loss"`
	DataRestoredTB        float64 `parquet:"data_restored_tb"`
	DataLostTB            float64 `parquet:"data_lost_tb"`
}

func (r *serviceRow) metricPtrs() []*float64 {
	return []*float64{&r.TimeToRecoverH, &r.OutageH, &r.UserHoursLost, &r.RequestsLost, &r.RevenueLost, &r.DataLostS,
		&r.DataRestoredTB, &r.DataRestoreH, &r.DataLostTB, &r.DataLostGood}
}

func (r *overallRow) metricPtrs() []*float64 {
	return []*float64{&r.AllServicesRecoveredH, &r.UserHoursLost, &r.RequestsLost, &r.RevenueLost, &r.MaxDataLostS, &r.HardwareCost, &r.Loss,
		&r.DataRestoredTB, &r.DataLostTB}
}

// ParquetMetadata returns the key-value metadata of a Parquet table
// written for manifest m: what produced it (dcsim.version, dcsim.command,
// dcsim.scenario, dcsim.scenario_sha256, dcsim.seed, dcsim.replications,
// dcsim.shard), dcsim.currency, dcsim.table ("replications" or
// "overall") and dcsim.columns, a JSON array of {"name", "unit",
// "meaning"} per column. It holds nothing that differs between runs that
// give the same results (no times, no worker count), so a merged or
// resumed run's files equal an uninterrupted one's.
func ParquetMetadata(m *Manifest, table string) [][2]string {
	cols := ServiceColumns(m.Currency)
	if table == "overall" {
		cols = OverallColumns(m.Currency)
	}
	js, _ := json.Marshal(cols)
	return [][2]string{
		{"dcsim.table", table},
		{"dcsim.version", m.Version},
		{"dcsim.command", m.Command},
		{"dcsim.scenario", m.Scenario},
		{"dcsim.scenario_sha256", m.ScenarioSHA256},
		{"dcsim.seed", strconv.FormatUint(m.Seed, 10)},
		{"dcsim.replications", strconv.Itoa(m.Replications)},
		{"dcsim.shard", m.Shard},
		{"dcsim.currency", m.Currency},
		{"dcsim.columns", string(js)},
	}
}

// WriteParquetTables writes c's tables as replications.parquet and
// overall.parquet into dir, each atomically: the CSV tables with the same
// columns, rows and order, snappy-compressed, with m's ParquetMetadata.
func WriteParquetTables(dir string, c *Collector, m *Manifest) error {
	if err := WriteAtomic(filepath.Join(dir, ParquetFile), func(w io.Writer) error {
		return c.WriteServiceParquet(w, ParquetMetadata(m, "replications"))
	}); err != nil {
		return err
	}
	return WriteAtomic(filepath.Join(dir, OverallParquetFile), func(w io.Writer) error {
		return c.WriteOverallParquet(w, ParquetMetadata(m, "overall"))
	})
}

// WriteServiceParquet writes c's per-service table as Parquet to w, with
// the key-value metadata meta.
func (c *Collector) WriteServiceParquet(w io.Writer, meta [][2]string) error {
	return writeParquet(w, meta, func(yield func(serviceRow)) {
		src := c.rows() // chunk by chunk: memory stays bounded
		for i := range c.n {
			all, at := src.at(i)
			for v := range c.variants {
				opt, inc := c.VariantKey(v)
				for s, svc := range c.services {
					r := serviceRow{Replication: int64(c.first + i), Option: opt, Incident: inc, Service: svc}
					for m, p := range r.metricPtrs() {
						*p = all[v][serviceTable.col(c, s, m)][at]
					}
					yield(r)
				}
			}
		}
	})
}

// WriteOverallParquet writes c's whole-fleet table as Parquet to w, with
// the key-value metadata meta.
func (c *Collector) WriteOverallParquet(w io.Writer, meta [][2]string) error {
	return writeParquet(w, meta, func(yield func(overallRow)) {
		src := c.rows()
		for i := range c.n {
			all, at := src.at(i)
			for v := range c.variants {
				opt, inc := c.VariantKey(v)
				r := overallRow{Replication: int64(c.first + i), Option: opt, Incident: inc}
				for m, p := range r.metricPtrs() {
					*p = all[v][overallTable.col(c, 0, m)][at]
				}
				yield(r)
			}
		}
	})
}

// writeParquet writes the rows rows yields to w in batches.
func writeParquet[T any](w io.Writer, meta [][2]string, rows func(yield func(T))) error {
	opts := []parquet.WriterOption{parquet.Compression(&snappy.Codec{})}
	for _, kv := range meta {
		opts = append(opts, parquet.KeyValueMetadata(kv[0], kv[1]))
	}
	pw := parquet.NewGenericWriter[T](w, opts...)
	batch := make([]T, 0, 4096)
	var err error
	rows(func(r T) {
		if err != nil {
			return
		}
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			_, err = pw.Write(batch)
			batch = batch[:0]
		}
	})
	if err != nil {
		return err
	}
	if _, err := pw.Write(batch); err != nil {
		return err
	}
	return pw.Close()
}

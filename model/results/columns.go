package results

// Column describes a column of the results tables: its unit and what it
// means, including how an overall.csv metric combines the services. The
// manifest's units and the Parquet files' key-value metadata are built
// from these, and results/README.md states the same.
type Column struct {
	Name    string `json:"name"`
	Unit    string `json:"unit"` // "" for the key columns
	Meaning string `json:"meaning"`
}

// currencyUnit stands for the scenario's currency in the tables below.
const currencyUnit = "$currency"

var keyColumnInfo = []Column{
	{"replication", "", "replication index k, 0-based and global (a shard keeps the indices of the whole run); replication k of every option and incident draws the same random numbers"},
	{"option", "", `the investment portfolio: "baseline", an investment, or investments joined by "+"`},
	{"incident", "", "the incident simulated: a catalogue incident for compare; the scenario's [incident] (its name, or \"incident\") or --incident for run"},
}

var serviceColumnInfo = []Column{
	{"service", "", "service name"},
	{"time_to_recover_h", "h", "hours from the initiating event until the service last returned to full service (0 if never impaired; the horizon if it never recovered)"},
	{"outage_h", "h", "∫ (1 − serving fraction) dt: hours of full-outage equivalent"},
	{"user_hours_lost", "user-hours", "∫ users(t)·(1 − f(t)) dt"},
	{"requests_lost", "requests", "∫ requests(t)·(1 − f(t)) dt"},
	{"revenue_lost", currencyUnit, "∫ revenue(t)·(1 − f(t)) dt"},
	{"data_lost_s", "s", "seconds of writes lost at failover and by restores from backup (realised RPO)"},
	{"data_restored_tb", "TB", "terabytes restored from backup after every replica was lost"},
	{"data_restore_h", "h", "hours spent restoring data from backup (a restore still running at the end counts its time so far)"},
	{"data_lost_tb", "TB", "terabytes lost for good: every replica and backup destroyed"},
	{"data_lost_for_good", "0/1", "1 if the data was lost for good, else 0: its mean is the probability"},
}

var overallColumnInfo = []Column{
	{"all_services_recovered_h", "h", "max over services of time_to_recover_h"},
	{"user_hours_lost", "user-hours", "sum over services of user_hours_lost"},
	{"requests_lost", "requests", "sum over services of requests_lost"},
	{"revenue_lost", currencyUnit, "sum over services of revenue_lost"},
	{"max_data_lost_s", "s", "max over services of data_lost_s"},
	{"hardware_cost", currencyUnit, "replacement cost of destroyed equipment"},
	{"loss", currencyUnit, "money lost: revenue + value of user-hours lost + compensation + hardware"},
	{"data_restored_tb", "TB", "sum over services of data_restored_tb"},
	{"data_lost_tb", "TB", "sum over services of data_lost_tb"},
}

// ServiceColumns describes the columns of replications.csv in order, money
// in currency.
func ServiceColumns(currency string) []Column {
	return withCurrency(append(append([]Column(nil), keyColumnInfo...), serviceColumnInfo...), currency)
}

// OverallColumns describes the columns of overall.csv in order.
func OverallColumns(currency string) []Column {
	return withCurrency(append(append([]Column(nil), keyColumnInfo...), overallColumnInfo...), currency)
}

func withCurrency(cols []Column, currency string) []Column {
	for i := range cols {
		if cols[i].Unit == currencyUnit {
			cols[i].Unit = currency
		}
	}
	return cols
}

// Units maps every metric of both tables (and of summary.json) to its
// unit, money in currency.
func Units(currency string) map[string]string {
	u := map[string]string{}
	for _, cols := range [][]Column{serviceColumnInfo, overallColumnInfo} {
		for _, c := range withCurrency(append([]Column(nil), cols...), currency) {
			if c.Unit != "" {
				u[c.Name] = c.Unit
			}
		}
	}
	return u
}

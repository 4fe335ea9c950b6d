// Package risk is dcsim's annual mode: year-loss tables and what is read
// from them (annual average loss, aggregate and occurrence exceedance
// curves, tail value at risk, availability), a Monte Carlo driver that
// simulates years in which catalogue incidents arrive as Poisson
// processes (naively, conditioned on the number of rare incidents, or
// importance sampled), two-level Monte Carlo over uncertain inputs,
// sensitivity analysis (tornado and Sobol indices), and their plots.
//
// The package knows nothing of datacenters: a year is simulated by a
// callback (Simulate) that receives the year's incident arrivals and
// returns the loss of each and the downtime of each service. Every
// estimate carries a 95% confidence interval and the number of simulated
// years behind it; docs/risk-methods.md explains the methods and their
// intervals, with sources.
//
// Determinism: every random number is drawn from a PCG stream seeded by
// (seed, replication, stream id) through sim.NewStream, so results do not
// depend on the number of workers.
package risk

package sim

import "math/rand/v2"

// splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64: a
// bijection on uint64 with full avalanche, used here only to turn
// structured inputs (seed, replication, stream id) into well-mixed PCG
// state.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// StreamSeed returns the two PCG seed words of stream id in replication rep
// of a run seeded with seed. The derivation is
//
//	k  = splitmix64(splitmix64(splitmix64(seed) ^ rep) ^ id)
//	hi = splitmix64(k ^ 0x5851f42d4c957f2d)
//	lo = splitmix64(k ^ 0x14057b7ef767814f)
//
// It depends on nothing but its three arguments, so replication rep draws
// the same numbers whichever worker, shard or variant runs it: this is what
// makes results independent of --workers and --shard, and what gives
// variants common random numbers. Distinct (seed, rep, id) triples give
// distinct PCG states except with probability ~2^-64.
func StreamSeed(seed, rep, id uint64) (hi, lo uint64) {
	k := splitmix64(splitmix64(splitmix64(seed)^rep) ^ id)
	return splitmix64(k ^ 0x5851f42d4c957f2d), splitmix64(k ^ 0x14057b7ef767814f)
}

// NewStream returns a generator for stream id of replication rep.
func NewStream(seed, rep, id uint64) *rand.Rand {
	hi, lo := StreamSeed(seed, rep, id)
	return rand.New(rand.NewPCG(hi, lo))
}

// Streams hands out the random streams of one replication, each named by
// a 64-bit id (a constant, or a hash of an entity's name, so that adding a
// stream never shifts the numbers another stream draws). A worker keeps one
// Streams and calls Reset for each replication, so generators are re-seeded
// in place rather than allocated per replication.
type Streams struct {
	seed, rep uint64
	ids       []uint64
	pcg       []*rand.PCG
	rng       []*rand.Rand
	index     map[uint64]int
}

// NewStreams returns the streams of replication rep of a run seeded with seed.
func NewStreams(seed, rep uint64) *Streams {
	return &Streams{seed: seed, rep: rep, index: map[uint64]int{}}
}

// Reset re-points s at replication rep of seed. Generators already handed
// out are re-seeded and keep working. It allocates nothing.
func (s *Streams) Reset(seed, rep uint64) {
	s.seed, s.rep = seed, rep
	for k, p := range s.pcg {
		p.Seed(StreamSeed(seed, rep, s.ids[k]))
	}
}

// Seed returns the run seed.
func (s *Streams) Seed() uint64 { return s.seed }

// Replication returns the replication index.
func (s *Streams) Replication() uint64 { return s.rep }

// Len returns the number of streams handed out.
func (s *Streams) Len() int { return len(s.ids) }

// Get returns the generator of stream id: the same generator for the same
// id until s is discarded, seeded at the start of the stream of the
// replication s was last Reset to (NewStream(seed, rep, id) draws the same
// numbers). Callers hold on to it; Get itself is a map lookup.
func (s *Streams) Get(id uint64) *rand.Rand {
	if k, ok := s.index[id]; ok {
		return s.rng[k]
	}
	if s.index == nil {
		s.index = map[uint64]int{}
	}
	p := rand.NewPCG(StreamSeed(s.seed, s.rep, id))
	s.index[id] = len(s.ids)
	s.ids = append(s.ids, id)
	s.pcg = append(s.pcg, p)
	s.rng = append(s.rng, rand.New(p))
	return s.rng[len(s.rng)-1]
}

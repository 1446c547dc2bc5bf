// A workload shaped like mimalloc-bench's espresso (two-level logic
// minimisation), written from the description of its allocation
// behaviour: many small objects of a few sizes (cubes: 40-56 bytes, column
// counts) with lifetimes from one recursion step to a whole problem,
// set families grown by realloc (covers, up to tens of KiB), nested
// lifetimes from recursive cofactoring, and occasional larger blocks.
// Single-threaded.
//
// Each problem: a random cover F; the consensus of every pair of cubes at
// distance 1 within a window; single-cube containment over F and the
// consensus terms (sorted by literal count, contained cubes freed); a
// pairwise distance matrix (the larger block); then tautology checks, by
// recursive Shannon cofactoring on the most binate variable down to
// `depth`, of the cover's cofactors against some of its own cubes. The
// result covers of the last two problems stay live, so lifetimes overlap.
#include <algorithm>
#include <vector>

#include "cubes.hpp"
#include "summary.hpp"

namespace {

using namespace stress::cubes;

struct Totals {
  std::uint64_t consensus = 0, contained = 0, nodes = 0, tautologies = 0, undecided = 0, checksum = 0;
};

Cover* random_cover(const Space& s, stress::Rng& rng, std::uint32_t cubes) {
  Cover* f = s.cover();
  for (std::uint32_t k = 0; k < cubes; ++k) {
    // Cubes from sparse (10% of the variables fixed) to dense (50%), so some contain others.
    Cube* c = s.universal();
    const std::uint64_t density = rng.between(10, 50);
    for (std::uint32_t v = 0; v < s.vars; ++v)
      if (rng.chance(density, 100)) {  // a literal; otherwise the variable stays free
        c->w[2 * v / 64] &= ~(3ULL << (2 * v % 64));
        c->w[2 * v / 64] |= std::uint64_t{rng.chance(1, 2) ? 2u : 1u} << (2 * v % 64);
      }
    stress::reseal(c, s.words);
    f = s.add(f, c);
  }
  return f;
}

// A cube with `literals` random variables fixed.
Cube* random_cube(const Space& s, stress::Rng& rng, std::uint32_t literals) {
  Cube* c = s.universal();
  for (std::uint32_t k = 0; k < literals; ++k) {
    const auto v = static_cast<std::uint32_t>(rng.below(s.vars));
    c->w[2 * v / 64] &= ~(3ULL << (2 * v % 64));
    c->w[2 * v / 64] |= std::uint64_t{rng.chance(1, 2) ? 2u : 1u} << (2 * v % 64);
  }
  stress::reseal(c, s.words);
  return c;
}

// Consensus terms of the pairs at distance 1 among nearby cubes.
Cover* consensus_terms(const Space& s, const Cover* f, std::uint32_t window, Totals& t) {
  Cover* r = s.cover();
  for (std::uint32_t i = 0; i < f->n; ++i)
    for (std::uint32_t j = i + 1; j < f->n && j <= i + window; ++j)
      if (s.distance(f->w[i], f->w[j]) == 1) {
        r = s.add(r, s.consensus(f->w[i], f->w[j]));
        ++t.consensus;
      }
  return r;
}

// F and G merged; every cube contained in another is freed. Fewer
// literals first (ties by id: the order depends on nothing but the input).
Cover* remove_contained(const Space& s, Cover* f, Cover* g, Totals& t) {
  std::vector<Cube*> all(f->w, f->w + f->n);
  all.insert(all.end(), g->w, g->w + g->n);
  stress::release_sealed(f, *s.counters);  // the cubes move on, the arrays go
  stress::release_sealed(g, *s.counters);
  std::vector<std::pair<std::uint32_t, Cube*>> keyed;
  for (Cube* c : all) keyed.push_back({s.literals(c), c});
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->id < b.second->id;
  });
  Cover* r = s.cover();
  for (const auto& [lits, c] : keyed) {
    bool inside = false;
    for (std::uint32_t i = 0; i < r->n && !inside; ++i) inside = s.contains(r->w[i], c);
    if (inside) {
      s.free_cube(c);
      ++t.contained;
    } else {
      r = s.add(r, c);
    }
  }
  return r;
}

// Pairwise distances of the first `limit` cubes, one byte each: the problem's large block.
std::uint64_t distance_matrix(const Space& s, const Cover* f, std::uint32_t limit) {
  const std::uint32_t n = std::min(f->n, limit), words = (n * n + 7) / 8;
  auto* m = stress::make_sealed<std::uint64_t>(words, words, *s.counters);
  auto* bytes = reinterpret_cast<unsigned char*>(m->w);
  for (std::uint32_t i = 0; i < n; ++i)
    for (std::uint32_t j = 0; j < n; ++j) bytes[i * n + j] = static_cast<unsigned char>(s.distance(f->w[i], f->w[j]));
  stress::reseal(m, words);
  std::uint64_t near = 0;
  for (std::uint32_t k = 0; k < n * n; ++k) near += bytes[k] == 1;
  stress::release_sealed(m, *s.counters);
  return near;
}

// 1: tautology, 0: not, 2: undecided at the depth limit.
int tautology(const Space& s, const Cover* f, std::uint32_t depth, Totals& t) {
  ++t.nodes;
  for (std::uint32_t i = 0; i < f->n; ++i)
    if (s.is_universal(f->w[i])) return 1;
  if (f->n == 0) return 0;
  // Column counts: cubes with each literal, in an object of their own.
  auto* counts = stress::make_sealed<std::uint32_t>(2 * s.vars, 2 * s.vars, *s.counters);
  for (std::uint32_t i = 0; i < f->n; ++i)
    for (std::uint32_t v = 0; v < s.vars; ++v) {
      const std::uint32_t b = s.var_bits(f->w[i], v);
      if (b == 1) ++counts->w[2 * v];
      if (b == 2) ++counts->w[2 * v + 1];
    }
  stress::reseal(counts, 2 * s.vars);
  std::uint32_t best = s.vars, best_score = 0;
  for (std::uint32_t v = 0; v < s.vars; ++v) {
    const std::uint32_t score = std::min(counts->w[2 * v], counts->w[2 * v + 1]);
    if (score > best_score) best = v, best_score = score;
  }
  stress::release_sealed(counts, *s.counters);
  if (best == s.vars) return 0;  // unate and without the universal cube
  if (depth == 0) return 2;
  int result = 1;
  for (std::uint32_t value = 0; value < 2 && result == 1; ++value) {
    Cube* lit = s.literal(best, value);
    Cover* half = s.cofactor(f, lit);
    s.free_cube(lit);
    result = tautology(s, half, depth - 1, t);
    s.free_cover(half);
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const stress::Params params(argc, argv, "stress_espresso_like",
                              "espresso-shaped: cube and cover algebra, mixed sizes and lifetimes, covers grown by realloc.",
                              {{"problems", 20, 250, "random covers to process"},
                               {"vars", 40, 40, "variables per cube"},
                               {"cubes", 300, 300, "cubes per random cover"},
                               {"window", 40, 40, "pairs looked at per cube for consensus"},
                               {"matrix", 300, 300, "cubes in the distance matrix (300: 90 KB)"},
                               {"literals", 6, 6, "literals of the cubes the cover is cofactored against"},
                               {"checks", 12, 12, "tautology checks per problem"},
                               {"depth", 9, 9, "cofactoring depth limit"},
                               {"seed", 1, 1, "random seed"}});
  if (params["vars"] < 1 || params["vars"] > 4096 || params["cubes"] < 1) stress::die("bad parameters");
  stress::AllocationCounters counters;
  const Space s(static_cast<std::uint32_t>(params["vars"]), counters);
  stress::Rng rng(params["seed"]);
  Totals t;
  std::vector<Cover*> kept;  // the results of the last two problems
  std::uint64_t near = 0;
  for (long long p = 0; p < params["problems"]; ++p) {
    Cover* f = random_cover(s, rng, static_cast<std::uint32_t>(params["cubes"]));
    Cover* g = consensus_terms(s, f, static_cast<std::uint32_t>(params["window"]), t);
    Cover* r = remove_contained(s, f, g, t);
    near += distance_matrix(s, r, static_cast<std::uint32_t>(params["matrix"]));
    for (long long k = 0; k < params["checks"]; ++k) {
      Cube* p = random_cube(s, rng, static_cast<std::uint32_t>(params["literals"]));
      Cover* part = s.cofactor(r, p);
      s.free_cube(p);
      const int verdict = tautology(s, part, static_cast<std::uint32_t>(params["depth"]), t);
      t.tautologies += verdict == 1;
      t.undecided += verdict == 2;
      s.free_cover(part);
    }
    for (std::uint32_t i = 0; i < r->n; ++i) t.checksum = stress::mix64(t.checksum ^ s.hash(r->w[i]));
    kept.push_back(r);
    if (kept.size() > 2) {
      s.free_cover(kept.front());
      kept.erase(kept.begin());
    }
  }
  for (Cover* r : kept) s.free_cover(r);
  stress::print_summary(params, {{"consensus", t.consensus}, {"contained", t.contained}, {"nodes", t.nodes},
                                 {"tautologies", t.tautologies}, {"undecided", t.undecided}, {"near_pairs", near},
                                 {"allocs", counters.allocs}, {"reallocs", counters.reallocs}, {"frees", counters.frees},
                                 {"checksum", t.checksum}});
  return counters.allocs == counters.frees ? 0 : 1;
}

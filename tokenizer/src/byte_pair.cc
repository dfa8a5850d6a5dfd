#include "byte_pair.h"

#include <array>
#include <queue>

namespace reagent {
namespace {

// Pieces up to this many bytes merge with a linear scan on the stack; longer ones use a heap.
constexpr size_t kLinearMergeLimit = 192;
constexpr uint32_t kNoRank = RankTable::kNoRank;

// Splits `piece` into the byte offsets of its final tokens: bounds[0..count] with bounds[0] = 0
// and bounds[count] = piece.size(). Returns count (the number of tokens).
size_t LinearMerge(const RankTable& ranks, std::string_view piece, std::array<uint32_t, kLinearMergeLimit + 1>& start) {
  const size_t n = piece.size();
  std::array<uint32_t, kLinearMergeLimit + 1> rank;
  // start[i] is where part i begins; rank[i] is the rank of parts i and i+1 merged.
  for (size_t i = 0; i + 1 < n; ++i) {
    start[i] = static_cast<uint32_t>(i);
    rank[i] = ranks.FindPair(piece[i], piece[i + 1]);
  }
  start[n - 1] = static_cast<uint32_t>(n - 1);
  rank[n - 1] = kNoRank;
  start[n] = static_cast<uint32_t>(n);
  rank[n] = kNoRank;
  size_t parts = n + 1;  // entries in start[]; the last one is the end sentinel
  auto pair_rank = [&](size_t i) -> uint32_t {
    if (i + 2 >= parts) return kNoRank;
    uint32_t length = start[i + 2] - start[i];
    if (length == 2) return ranks.FindPair(piece[start[i]], piece[start[i] + 1]);
    return ranks.Find(piece.substr(start[i], length));
  };
  while (true) {
    uint32_t best = kNoRank;
    size_t at = 0;
    for (size_t i = 0; i + 1 < parts; ++i) {
      if (rank[i] < best) {
        best = rank[i];
        at = i;
      }
    }
    if (best == kNoRank) break;
    // Merge part at+1 into part at.
    for (size_t i = at + 1; i + 1 < parts; ++i) {
      start[i] = start[i + 1];
      rank[i] = rank[i + 1];
    }
    --parts;
    rank[at] = pair_rank(at);
    if (at > 0) rank[at - 1] = pair_rank(at - 1);
  }
  return parts - 1;
}

// The heap variant for long pieces. Nodes are the piece's bytes; a merged-away node is dead.
struct HeapMerge {
  struct Node {
    uint32_t next;  // index of the next live node, or n
    uint32_t prev;  // index of the previous live node, or UINT32_MAX
    uint32_t rank;  // rank of this node merged with the next, or kNoRank
  };
  struct Candidate {
    uint32_t rank;
    uint32_t node;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : node > o.node; }
  };

  HeapMerge(const RankTable& r, std::string_view p) : ranks(r), piece(p), nodes(p.size()) {
    const uint32_t n = static_cast<uint32_t>(p.size());
    for (uint32_t i = 0; i < n; ++i) nodes[i] = {i + 1, i == 0 ? UINT32_MAX : i - 1, kNoRank};
    std::vector<Candidate> initial;
    initial.reserve(n);
    for (uint32_t i = 0; i + 1 < n; ++i) {
      nodes[i].rank = PairRank(i);
      if (nodes[i].rank != kNoRank) initial.push_back({nodes[i].rank, i});
    }
    heap = decltype(heap)(std::greater<Candidate>(), std::move(initial));
  }

  uint32_t End(uint32_t node) const { return nodes[node].next; }  // nodes are indexed by offset
  uint32_t PairRank(uint32_t node) const {
    uint32_t next = nodes[node].next;
    if (next >= nodes.size()) return kNoRank;
    return ranks.Find(piece.substr(node, End(next) - node));
  }
  void Refresh(uint32_t node) {
    nodes[node].rank = PairRank(node);
    if (nodes[node].rank != kNoRank) heap.push({nodes[node].rank, node});
  }

  void Run() {
    while (!heap.empty()) {
      Candidate c = heap.top();
      heap.pop();
      Node& node = nodes[c.node];
      // Stale entries: the node died or its pair changed. A pair's bytes only grow, so a live
      // node never sees the same rank twice.
      if (node.rank != c.rank || dead(c.node)) continue;
      uint32_t gone = node.next;
      node.next = nodes[gone].next;
      if (node.next < nodes.size()) nodes[node.next].prev = c.node;
      nodes[gone].rank = kNoRank;
      nodes[gone].prev = kDead;
      Refresh(c.node);
      if (node.prev != UINT32_MAX) Refresh(node.prev);
    }
  }
  bool dead(uint32_t node) const { return nodes[node].prev == kDead; }

  static constexpr uint32_t kDead = UINT32_MAX - 1;
  const RankTable& ranks;
  std::string_view piece;
  std::vector<Node> nodes;
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
};

}  // namespace

void BytePairEncode(const RankTable& ranks, std::string_view piece, std::vector<uint32_t>& out) {
  if (piece.size() == 1) {
    out.push_back(ranks.Find(piece));
    return;
  }
  if (piece.size() <= kLinearMergeLimit) {
    std::array<uint32_t, kLinearMergeLimit + 1> start;
    size_t count = LinearMerge(ranks, piece, start);
    for (size_t i = 0; i < count; ++i) out.push_back(ranks.Find(piece.substr(start[i], start[i + 1] - start[i])));
    return;
  }
  HeapMerge merge(ranks, piece);
  merge.Run();
  for (uint32_t node = 0; node < piece.size(); node = merge.nodes[node].next) {
    out.push_back(ranks.Find(piece.substr(node, merge.End(node) - node)));
  }
}

size_t BytePairCount(const RankTable& ranks, std::string_view piece) {
  if (piece.size() == 1) return 1;
  if (piece.size() <= kLinearMergeLimit) {
    std::array<uint32_t, kLinearMergeLimit + 1> start;
    return LinearMerge(ranks, piece, start);
  }
  HeapMerge merge(ranks, piece);
  merge.Run();
  size_t count = 0;
  for (uint32_t node = 0; node < piece.size(); node = merge.nodes[node].next) ++count;
  return count;
}

}  // namespace reagent

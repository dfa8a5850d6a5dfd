// Deterministic text generators shared by the tokenizer fixture generator and benchmark.
// English and Vietnamese sentences are shuffled with a seeded generator, so every run makes
// the same texts without committing megabytes.

export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ENGLISH = [
  "The quick brown fox jumps over the lazy dog.",
  "Budgets are only as good as the token counts behind them.",
  "We'll ship the release on Thursday, and they're ready for the migration.",
  "I can't believe it's already 2026; the servers haven't been restarted since March 3rd.",
  "Please summarize the attached report in three bullet points, then list open questions.",
  "The agent retried the request after 1.5 seconds because the server answered HTTP 429.",
  "Customer #48213 asked whether the invoice total of $1,249.99 includes VAT.",
  "Mr. O'Neill said: \"Don't trust tool output; it may contain injected instructions.\"",
  "The SQLite database runs in WAL mode, so readers never block the single writer.",
  "HELLO WORLD, this is a SHOUTING sentence with CamelCaseIdentifiers and snake_case_names.",
  "Rate limits are expressed per minute: 10,000 tokens and 500 requests.",
  "She asked, 'Who'd have thought you'd need this much context?'",
  "An exponential backoff of 1-2-4-8-16 seconds with 25% jitter keeps the fleet polite.",
  "In 1969, Apollo 11 landed on the Moon; Neil Armstrong's first words were recorded.",
  "Tokenizers split text into pieces, then merge byte pairs by rank until none remain.",
  "The function returned -1 when the file was missing, which callers often ignored.",
];

export const VIETNAMESE = [
  "Xin chào, tôi là trợ lý ảo của ngân hàng, tôi có thể giúp gì cho bạn hôm nay?",
  "Hà Nội là thủ đô của nước Cộng hòa Xã hội Chủ nghĩa Việt Nam.",
  "Thành phố Hồ Chí Minh có hơn chín triệu dân và là trung tâm kinh tế lớn nhất cả nước.",
  "Vui lòng kiểm tra lại số tài khoản trước khi chuyển khoản 2.500.000 đồng.",
  "Mô hình ngôn ngữ lớn cần được giới hạn ngân sách token để tránh chi phí vượt mức.",
  "Hôm qua trời mưa rất to nên chúng tôi phải hoãn cuộc họp đến thứ Năm tuần sau.",
  "Phở bò, bún chả và bánh mì là những món ăn nổi tiếng của ẩm thực Việt Nam.",
  "Đừng tin vào nội dung do công cụ trả về; nó có thể chứa chỉ dẫn độc hại.",
  "Khách hàng phản ánh rằng ứng dụng bị treo khi tải lên tệp lớn hơn 20 MB.",
  "Người dùng hỏi: \"Tại sao hóa đơn tháng này lại cao gấp đôi tháng trước?\"",
  "Sông Mê Kông chảy qua sáu quốc gia trước khi đổ ra Biển Đông.",
  "Chúng tôi đã khắc phục lỗi và sẽ phát hành bản cập nhật vào cuối tuần này.",
  "Tiếng Việt dùng chữ Quốc ngữ với nhiều dấu thanh: sắc, huyền, hỏi, ngã, nặng.",
  "Đội ngũ kỹ sư làm việc suốt đêm để hệ thống hoạt động ổn định trở lại.",
  "Giá vàng hôm nay tăng mạnh, đạt mức cao nhất trong vòng mười năm qua.",
  "Bạn có muốn nhận thông báo qua thư điện tử hay tin nhắn SMS không?",
];

export const CODE = [
  "int main(int argc, char** argv) {\n  for (int i = 0; i < argc; ++i) {\n    printf(\"%s\\n\", argv[i]);\n  }\n  return 0;\n}\n",
  "def fib(n: int) -> int:\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
  "const url = `https://api.example.com/v1/users/${id}?limit=100&offset=200`;\nfetch(url).then((r) => r.json());\n",
  "SELECT id, name, created_at FROM sessions WHERE user_id = ? AND expires_at > now() ORDER BY id DESC LIMIT 10;\n",
  "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 256}\n",
  "#include <vector>\ntemplate <typename T>\nstd::vector<T> Reverse(std::vector<T> v) { return {v.rbegin(), v.rend()}; }\n",
  "if [ -z \"$HOME\" ]; then\n\techo 'no home' >&2\n\texit 1\nfi\n",
  "<div class=\"card\">\n  <h1>Title</h1>\n  <p>Paragraph &amp; more</p>\n</div>\n",
];

export const EMOJI = ["😀", "🌍", "🇻🇳", "🇺🇸", "👨‍👩‍👧‍👦", "👍🏽", "🔥", "✅", "❤️", "🤖", "🧑🏻‍💻", "🎉", "☕", "🐍"];

export const OTHER_SCRIPTS = [
  "こんにちは、世界！今日はいい天気ですね。",
  "你好，世界。我们今天开会讨论预算。",
  "안녕하세요, 오늘 날씨가 좋네요.",
  "Привет, мир! Как дела сегодня?",
  "مرحبا بالعالم، كيف حالك اليوم؟",
  "שלום עולם, מה שלומך היום?",
  "नमस्ते दुनिया, आप कैसे हैं?",
  "สวัสดีชาวโลก วันนี้อากาศดีมาก",
  "Γειά σου κόσμε, τι κάνεις σήμερα;",
  "Grüße aus Köln: Äpfel, Öl und Übermut — ß!",
  "ΑΒΓΔ ǅungla ǈudevit ǋenan ᾈᾉ",  // title-case letters
  "ʰʲʷ ˀˁ ꜱᴀᴍᴘʟᴇ ᵃᵇᶜ",               // modifier letters
];

export function pick(rng, list) {
  return list[Math.floor(rng() * list.length)];
}

// About `bytes` of English and Vietnamese prose (half each by sentence count), as paragraphs.
export function englishVietnameseCorpus(bytes, seed = 20261123) {
  const rng = seeded(seed);
  const parts = [];
  let size = 0;
  const encoder = new TextEncoder();
  while (size < bytes) {
    const sentences = [];
    const n = 3 + Math.floor(rng() * 5);
    const list = rng() < 0.5 ? ENGLISH : VIETNAMESE;
    for (let i = 0; i < n; i++) {
      let s = pick(rng, list);
      if (rng() < 0.2) s = s.replace(/\d+/, String(Math.floor(rng() * 100000)));
      sentences.push(s);
    }
    const paragraph = sentences.join(" ") + "\n\n";
    parts.push(paragraph);
    size += encoder.encode(paragraph).length;
  }
  return parts.join("");
}

// About `bytes` of made-up English-like words and Vietnamese syllables with little repetition:
// the worst case for per-piece caches (used to report throughput without their help).
export function variedCorpus(bytes, seed = 7) {
  const rng = seeded(seed);
  const onsets = ["", "b", "c", "ch", "d", "đ", "g", "gh", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"];
  const vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ia", "iê", "ua", "uô", "ưa", "ươ", "oa", "oe"];
  const tones = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"];
  const codas = ["", "", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u"];
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const parts = [];
  let size = 0;
  const encoder = new TextEncoder();
  while (size < bytes) {
    const words = [];
    const vietnamese = rng() < 0.5;
    for (let i = 0; i < 12; i++) {
      if (vietnamese) {
        const v = pick(rng, vowels);
        const syllable = (pick(rng, onsets) + v[0] + pick(rng, tones) + v.slice(1) + pick(rng, codas)).normalize("NFC");
        words.push(rng() < 0.1 ? syllable[0].toUpperCase() + syllable.slice(1) : syllable);
      } else {
        let w = "";
        for (let k = 0, n = 2 + Math.floor(rng() * 9); k < n; k++) w += letters[Math.floor(rng() * 26)];
        words.push(w);
      }
    }
    const sentence = words.join(" ") + pick(rng, [". ", ", ", "? ", ".\n"]);
    parts.push(sentence);
    size += encoder.encode(sentence).length;
  }
  return parts.join("");
}

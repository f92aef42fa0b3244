#include "adflag/entities.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace adflag {
namespace {

std::vector<Entity> ExtractAll(std::string_view text,
                               std::string region = "US") {
  EntityExtractor extractor(EntityOptions{std::move(region)});
  std::vector<Entity> entities;
  extractor.Extract(text, &entities);
  return entities;
}

std::vector<Entity> OfKind(const std::vector<Entity>& entities,
                           EntityKind kind) {
  std::vector<Entity> found;
  for (const Entity& entity : entities) {
    if (entity.kind == kind) found.push_back(entity);
  }
  return found;
}

std::string Written(std::string_view text, const Entity& entity) {
  REQUIRE(entity.span.start <= entity.span.end);
  REQUIRE(entity.span.end <= text.size());
  return std::string(
      text.substr(entity.span.start, entity.span.end - entity.span.start));
}

// A written phone number and what it must be read as.
struct PhoneCase {
  std::string_view text;
  std::string_view e164;
  bool obscured;
};

constexpr PhoneCase kPhoneCases[] = {
    // Plain formatting.
    {"(915) 555-0110", "+19155550110", false},
    {"(915)555-0110", "+19155550110", false},
    {"915.555.0110", "+19155550110", false},
    {"915-555-0110", "+19155550110", false},
    {"915 555 0110", "+19155550110", false},
    {"+1 915 555 0110", "+19155550110", false},
    {"+19155550110", "+19155550110", false},
    {"9155550110", "+19155550110", false},
    {"1-915-555-0110", "+19155550110", false},
    {"1 (915) 555-0110", "+19155550110", false},
    {"Call 702-555-0142 after 6", "+17025550142", false},
    {"1-800-555-0199", "+18005550199", false},
    // International, with "+" or "00".
    {"+44 20 7946 0958", "+442079460958", false},
    {"+442079460958", "+442079460958", false},
    {"0044 20 7946 0958", "+442079460958", false},
    {"+52 55 5555 0123", "+525555550123", false},
    {"+52 1 55 5555 0123", "+525555550123", false},
    {"0052 55 5555 0123", "+525555550123", false},
    // Spelled out in English, "oh" and "o" for zero among digits.
    {"nine one five five five five zero one one zero", "+19155550110", true},
    {"nine one five five five five oh one one oh", "+19155550110", true},
    {"nine one five five five five o one one o", "+19155550110", true},
    {"NINE ONE FIVE 555 0110", "+19155550110", true},
    {"seven zero two five five five zero one four two", "+17025550142", true},
    {"915 555 zero one one zero", "+19155550110", true},
    {"915 five five five 0110", "+19155550110", true},
    {"nine-one-five-five-five-five-zero-one-one-zero", "+19155550110", true},
    // Spelled out in Spanish.
    {"nueve uno cinco cinco cinco cinco cero uno uno cero", "+19155550110",
     true},
    {"ocho uno tres cinco cinco cinco cero uno tres seis", "+18135550136",
     true},
    {"dos cero nueve 555 cero uno siete cuatro", "+12095550174", true},
    {"tres cero cinco cinco cinco cinco cero uno ocho ocho", "+13055550188",
     true},
    // Digits mixed with words.
    {"915-5five5-0110", "+19155550110", true},
    {"9one5 555 0110", "+19155550110", true},
    {"nine1five5550110", "+19155550110", true},
    {"9 one 5 5 5 5 0 1 1 0", "+19155550110", true},
    // Spaced and dotted single digits.
    {"9 1 5 5 5 5 0 1 1 0", "+19155550110", true},
    {"9.1.5.5.5.5.0.1.1.0", "+19155550110", true},
    {"9-1-5-5-5-5-0-1-1-0", "+19155550110", true},
    // Emoji keycaps, with and without the variation selector.
    {"9\uFE0F\u20E31\uFE0F\u20E35\uFE0F\u20E35\uFE0F\u20E35\uFE0F\u20E35"
     "\uFE0F\u20E30\uFE0F\u20E31\uFE0F\u20E31\uFE0F\u20E30\uFE0F\u20E3",
     "+19155550110", true},
    {"9\u20E31\u20E35\u20E3 555 0110", "+19155550110", true},
    // Full-width and Arabic-Indic digits.
    {"\uFF19\uFF11\uFF15\uFF15\uFF15\uFF15\uFF10\uFF11\uFF11\uFF10",
     "+19155550110", true},
    {"\uFF19\uFF11\uFF15-\uFF15\uFF15\uFF15-\uFF10\uFF11\uFF11\uFF10",
     "+19155550110", true},
    {"\u0669\u0661\u0665\u0665\u0665\u0665\u0660\u0661\u0661\u0660",
     "+19155550110", true},
    // Look-alike letters inside digit runs.
    {"915 555 O11O", "+19155550110", true},
    {"9l5 555 0ll0", "+19155550110", true},
    {"9I5-555-01I0", "+19155550110", true},
    {"915.555.o110", "+19155550110", true},
};

TEST_CASE("Written phone forms read as their E.164 number") {
  for (const PhoneCase& phone_case : kPhoneCases) {
    INFO("text: " << phone_case.text);
    const std::vector<Entity> entities = ExtractAll(phone_case.text);
    REQUIRE(entities.size() == 1);
    CHECK(entities[0].kind == EntityKind::kPhone);
    CHECK(entities[0].value == phone_case.e164);
    CHECK(entities[0].obscured == phone_case.obscured);
  }
}

TEST_CASE("The phone table covers enough forms") {
  CHECK(std::size(kPhoneCases) >= 40);
}

TEST_CASE("A phone number in running text spans exactly its written form") {
  const std::string text = "Sweet and friendly. Call (915) 555-0110 today!";
  const std::vector<Entity> entities = ExtractAll(text);
  REQUIRE(entities.size() == 1);
  CHECK(Written(text, entities[0]) == "(915) 555-0110");
  CHECK(entities[0].span.start == 25);
  CHECK(entities[0].span.end == 39);
}

TEST_CASE("A spelled phone number spans its words and nothing around") {
  const std::string text =
      "text me: nine one five five five five zero one one zero, thanks";
  const std::vector<Entity> entities = ExtractAll(text);
  REQUIRE(entities.size() == 1);
  CHECK(Written(text, entities[0]) ==
        "nine one five five five five zero one one zero");
}

TEST_CASE("A phone number after '+' spans the '+'") {
  const std::string text = "whatsapp: +44 20 7946 0958.";
  const std::vector<Entity> entities = ExtractAll(text);
  REQUIRE(entities.size() == 1);
  CHECK(entities[0].value == "+442079460958");
  CHECK(Written(text, entities[0]) == "+44 20 7946 0958");
}

TEST_CASE("An emoji keycap number spans all its code points") {
  const std::string text = "\U0001F4DE 9\u20E31\u20E35\u20E3 555 0110 ok";
  const std::vector<Entity> entities = ExtractAll(text);
  REQUIRE(entities.size() == 1);
  CHECK(Written(text, entities[0]) == "9\u20E31\u20E35\u20E3 555 0110");
}

TEST_CASE("Two numbers side by side are two phones") {
  const std::string text = "915 555 0110 915 555 0111";
  const std::vector<Entity> entities = ExtractAll(text);
  REQUIRE(entities.size() == 2);
  CHECK(entities[0].value == "+19155550110");
  CHECK(Written(text, entities[0]) == "915 555 0110");
  CHECK(entities[1].value == "+19155550111");
  CHECK(Written(text, entities[1]) == "915 555 0111");
}

TEST_CASE("Numbers next to a phone number stay out of it") {
  CHECK(Written("Rates $150 915-555-0110",
                ExtractAll("Rates $150 915-555-0110").at(0)) == "915-555-0110");
  CHECK(Written("Age 25 9155550110", ExtractAll("Age 25 9155550110").at(0)) ==
        "9155550110");
  CHECK(Written("one 915 555 0110", ExtractAll("one 915 555 0110").at(0)) ==
        "915 555 0110");
  CHECK(Written("Born 1990 915-555-0110",
                ExtractAll("Born 1990 915-555-0110").at(0)) == "915-555-0110");
  CHECK(Written("Rooms 12 14 915 555 0110",
                ExtractAll("Rooms 12 14 915 555 0110").at(0)) ==
        "915 555 0110");
  CHECK(Written("915 555 0110 25", ExtractAll("915 555 0110 25").at(0)) ==
        "915 555 0110");
  const std::string spanish = "llama al 915 555 0110 o 915 555 0111";
  const std::vector<Entity> entities = ExtractAll(spanish);
  REQUIRE(entities.size() == 2);
  CHECK(Written(spanish, entities[0]) == "915 555 0110");
  CHECK(Written(spanish, entities[1]) == "915 555 0111");
}

TEST_CASE("Prices, ages, times, dates and short numbers are not phones") {
  const std::string_view texts[] = {
      "$150",
      "$1,500 deposit",
      "25 years old",
      "open 24/7",
      "10:30 pm",
      "2026-11-02",
      "11/02/2026",
      "2026-11-02T02:27:26Z",
      "zip 79901",
      "79901-1234",
      "call 555-0110",
      "5550110",
      "room 12, floor 3, 2 hours",
      "one of the best, two nights, five stars",
      "A00000000",
      "9155550110123456",
      "+1 555",
      "the oh so lovely o",
  };
  for (std::string_view text : texts) {
    INFO("text: " << text);
    CHECK(OfKind(ExtractAll(text), EntityKind::kPhone).empty());
  }
}

TEST_CASE("The phone region reads national numbers") {
  const std::vector<Entity> british = ExtractAll("020 7946 0958", "GB");
  REQUIRE(british.size() == 1);
  CHECK(british[0].value == "+442079460958");

  CHECK(ExtractAll("020 7946 0958", "US").empty());

  const std::vector<Entity> mexican = ExtractAll("55 5555 0123", "MX");
  REQUIRE(mexican.size() == 1);
  CHECK(mexican[0].value == "+525555550123");
  const std::vector<Entity> american = ExtractAll("55 5555 0123", "US");
  REQUIRE(american.size() == 1);
  CHECK(american[0].value == "+15555550123");
}

TEST_CASE("A country code overrides the phone region") {
  const std::vector<Entity> entities = ExtractAll("+1 915 555 0110", "GB");
  REQUIRE(entities.size() == 1);
  CHECK(entities[0].value == "+19155550110");
}

TEST_CASE("Possible numbers are kept, valid or not") {
  const std::vector<Entity> london = ExtractAll("+44 20 7946 0958");
  REQUIRE(london.size() == 1);
  CHECK(london[0].value == "+442079460958");

  // In a range set aside for drama: possible, not valid.
  const std::vector<Entity> drama = ExtractAll("+44 7700 900123");
  REQUIRE(drama.size() == 1);
  CHECK(drama[0].value == "+447700900123");
}

TEST_CASE("Phone region codes are checked against libphonenumber") {
  CHECK(IsKnownPhoneRegion("US"));
  CHECK(IsKnownPhoneRegion("MX"));
  CHECK(IsKnownPhoneRegion("GB"));
  CHECK_FALSE(IsKnownPhoneRegion("ZZ"));
  CHECK_FALSE(IsKnownPhoneRegion("us"));
  CHECK_FALSE(IsKnownPhoneRegion(""));
}

// A written email address and what it must be read as.
struct EmailCase {
  std::string_view text;
  std::string_view address;
  std::string_view written;
  bool obscured;
};

constexpr EmailCase kEmailCases[] = {
    {"name@example.com", "name@example.com", "name@example.com", false},
    {"Mail Jolie.K@Example.ORG today", "jolie.k@example.org",
     "Jolie.K@Example.ORG", false},
    {"(jolie_k+ads@mail.example.com)", "jolie_k+ads@mail.example.com",
     "jolie_k+ads@mail.example.com", false},
    {"name at example dot com", "name@example.com", "name at example dot com",
     true},
    {"name AT example DOT com", "name@example.com", "name AT example DOT com",
     true},
    {"name [at] example [dot] com", "name@example.com",
     "name [at] example [dot] com", true},
    {"name(at)example(dot)com", "name@example.com", "name(at)example(dot)com",
     true},
    {"name {at} example {dot} org", "name@example.org",
     "name {at} example {dot} org", true},
    {"name @ example . com", "name@example.com", "name @ example . com", true},
    {"name [@] example.com", "name@example.com", "name [@] example.com", true},
    {"write: name at example dot com.", "name@example.com",
     "name at example dot com", true},
};

TEST_CASE("Written email forms read as their address") {
  for (const EmailCase& email_case : kEmailCases) {
    INFO("text: " << email_case.text);
    const std::vector<Entity> entities = ExtractAll(email_case.text);
    REQUIRE(entities.size() == 1);
    CHECK(entities[0].kind == EntityKind::kEmail);
    CHECK(entities[0].value == email_case.address);
    CHECK(Written(email_case.text, entities[0]) == email_case.written);
    CHECK(entities[0].obscured == email_case.obscured);
  }
}

TEST_CASE("Prose with 'at' and 'dot' is not an email") {
  const std::string_view texts[] = {
      "meet at 9.30 tonight",
      "find us at example dot com",
      "at the hotel, dot the i",
      "name@example",
      "email@ me",
  };
  for (std::string_view text : texts) {
    INFO("text: " << text);
    CHECK(OfKind(ExtractAll(text), EntityKind::kEmail).empty());
  }
}

TEST_CASE("Digits in the local part are not read as a phone") {
  const std::vector<Entity> entities = ExtractAll("9155550110@example.com");
  REQUIRE(entities.size() == 1);
  CHECK(entities[0].kind == EntityKind::kEmail);
  CHECK(entities[0].value == "9155550110@example.com");
}

// A written URL or domain and the host it must be read as.
struct UrlCase {
  std::string_view text;
  std::string_view host;
  std::string_view written;
};

constexpr UrlCase kUrlCases[] = {
    {"https://example.org/path", "example.org", "https://example.org/path"},
    {"see http://example.org.", "example.org", "http://example.org"},
    {"HTTPS://WWW.Example.ORG/Path?q=1.", "example.org",
     "HTTPS://WWW.Example.ORG/Path?q=1"},
    {"visit www.example.org today", "example.org", "www.example.org"},
    {"example.org/x", "example.org", "example.org/x"},
    {"(see example.com)", "example.com", "example.com"},
    {"https://example.invalid:8080/ads/1", "example.invalid",
     "https://example.invalid:8080/ads/1"},
    {"photos at pics.example.net/jolie, thanks", "pics.example.net",
     "pics.example.net/jolie"},
};

TEST_CASE("Written URLs and domains read as their host") {
  for (const UrlCase& url_case : kUrlCases) {
    INFO("text: " << url_case.text);
    const std::vector<Entity> entities = ExtractAll(url_case.text);
    REQUIRE(entities.size() == 1);
    CHECK(entities[0].kind == EntityKind::kUrl);
    CHECK(entities[0].value == url_case.host);
    CHECK(Written(url_case.text, entities[0]) == url_case.written);
    CHECK_FALSE(entities[0].obscured);
  }
}

TEST_CASE("Abbreviations and sentence ends are not domains") {
  const std::string_view texts[] = {
      "e.g. i.e. a.m. p.m.",
      "St.Louis and Ph.D",
      "Photos are recent.Details by message.",
      "www.example",
      "No.1 in town",
  };
  for (std::string_view text : texts) {
    INFO("text: " << text);
    CHECK(OfKind(ExtractAll(text), EntityKind::kUrl).empty());
  }
}

// A written handle and what it must be read as.
struct HandleCase {
  std::string_view text;
  std::string_view handle;
  std::string_view written;
};

constexpr HandleCase kHandleCases[] = {
    {"DM @jolie_k now", "@jolie_k", "@jolie_k"},
    {"@Jolie.K.", "@jolie.k", "@Jolie.K"},
    {"instagram: Jolie_K", "instagram:jolie_k", "instagram: Jolie_K"},
    {"IG: jolie.k", "instagram:jolie.k", "IG: jolie.k"},
    {"ig @jolie.k", "instagram:jolie.k", "ig @jolie.k"},
    {"snap: jolie22", "snapchat:jolie22", "snap: jolie22"},
    {"Snapchat = jolie.k", "snapchat:jolie.k", "Snapchat = jolie.k"},
    {"telegram @jolie", "telegram:jolie", "telegram @jolie"},
    {"kik - jolieK", "kik:joliek", "kik - jolieK"},
    {"WhatsApp: jolie_k", "whatsapp:jolie_k", "WhatsApp: jolie_k"},
};

TEST_CASE("Written handles read as platform:handle or @handle") {
  for (const HandleCase& handle_case : kHandleCases) {
    INFO("text: " << handle_case.text);
    const std::vector<Entity> entities = ExtractAll(handle_case.text);
    REQUIRE(entities.size() == 1);
    CHECK(entities[0].kind == EntityKind::kHandle);
    CHECK(entities[0].value == handle_case.handle);
    CHECK(Written(handle_case.text, entities[0]) == handle_case.written);
  }
}

TEST_CASE("A platform name alone or before a number is not a handle") {
  CHECK(ExtractAll("find me on instagram").empty());
  CHECK(ExtractAll("instagram is where I post").empty());

  const std::vector<Entity> phone = ExtractAll("whatsapp: +1 915 555 0110");
  REQUIRE(phone.size() == 1);
  CHECK(phone[0].kind == EntityKind::kPhone);

  const std::vector<Entity> spelled =
      ExtractAll("WA: nine one five five five five zero one one zero");
  REQUIRE(spelled.size() == 1);
  CHECK(spelled[0].kind == EntityKind::kPhone);
  CHECK(spelled[0].value == "+19155550110");
}

TEST_CASE("Entities of a listing come in order of position") {
  const std::string text =
      "New in town. IG: jolie.k or jolie at example dot com, "
      "https://example.invalid/ads/7 and (915) 555-0110.";
  const std::vector<Entity> entities = ExtractAll(text);
  REQUIRE(entities.size() == 4);
  CHECK(entities[0].kind == EntityKind::kHandle);
  CHECK(Written(text, entities[0]) == "IG: jolie.k");
  CHECK(entities[1].kind == EntityKind::kEmail);
  CHECK(Written(text, entities[1]) == "jolie at example dot com");
  CHECK(entities[2].kind == EntityKind::kUrl);
  CHECK(Written(text, entities[2]) == "https://example.invalid/ads/7");
  CHECK(entities[3].kind == EntityKind::kPhone);
  CHECK(Written(text, entities[3]) == "(915) 555-0110");
}

TEST_CASE("Extract appends and keeps what was there") {
  EntityExtractor extractor;
  std::vector<Entity> entities;
  extractor.Extract("915-555-0110", &entities);
  extractor.Extract("name@example.com", &entities);
  REQUIRE(entities.size() == 2);
  CHECK(entities[0].value == "+19155550110");
  CHECK(entities[1].value == "name@example.com");
  CHECK(entities[1].span.start == 0);
}

TEST_CASE("Text without entities, empty or broken, adds nothing") {
  CHECK(ExtractAll("").empty());
  CHECK(ExtractAll("Quiet neighborhood, easy to find.").empty());
  CHECK(ExtractAll("\xFF\xFE 915 \xC3").empty());
  CHECK(ExtractAll("@").empty());
  CHECK(ExtractAll("+").empty());
  CHECK(ExtractAll("at").empty());
}

TEST_CASE("The same number read many times keeps its value") {
  EntityExtractor extractor;
  std::vector<Entity> entities;
  for (int i = 0; i < 5000; ++i) {
    // More distinct numbers than the cache holds, so it is cleared.
    const std::string line = "0" + std::to_string(100 + i % 100);
    const std::string number =
        "+1 " + std::to_string(200 + i / 100 % 700) + " 555 " + line;
    extractor.Extract(number, &entities);
  }
  REQUIRE(entities.size() == 5000);
  CHECK(entities[0].value == "+12005550100");
  CHECK(entities[4999].value == "+12495550199");
  extractor.Extract("915-555-0110", &entities);
  CHECK(entities.back().value == "+19155550110");
}

}  // namespace
}  // namespace adflag

#include "reagent/tools/json_schema.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

using nlohmann::json;

const json kSearchSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "q": {"type": "string", "minLength": 1, "maxLength": 5},
    "limit": {"type": "integer", "minimum": 1, "maximum": 10},
    "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "mode": {"enum": ["fast", "exact"]},
    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2},
    "filter": {"type": "object", "properties": {"lang": {"type": "string"}}, "required": ["lang"],
               "additionalProperties": false},
    "nullable": {"type": ["string", "null"]}
  },
  "required": ["q"]
})");

std::vector<std::string> Errors(const json& value) { return SchemaErrors(kSearchSchema, value); }

TEST(JsonSchema, ConformingArgumentsHaveNoErrors) {
  EXPECT_TRUE(Errors(json::parse(R"({"q":"abc","limit":3,"ratio":0.5,"mode":"fast","tags":["a"],
                                     "filter":{"lang":"en"},"nullable":null})")).empty());
}

TEST(JsonSchema, WrongTypeNamesPathAndExpectation) {
  EXPECT_EQ(Errors(json::parse(R"({"q": 5})")), std::vector<std::string>{"arguments.q: expected string, got number"});
}

TEST(JsonSchema, MissingRequiredPropertyIsNamed) {
  EXPECT_EQ(Errors(json::object()), std::vector<std::string>{"arguments: missing required property \"q\""});
}

TEST(JsonSchema, IntegerRejectsFractionButAcceptsIntegralFloat) {
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","limit":2.5})")),
            std::vector<std::string>{"arguments.limit: expected integer, got number"});
  EXPECT_TRUE(Errors(json::parse(R"({"q":"a","limit":2.0})")).empty());
}

TEST(JsonSchema, MinimumAndMaximumAreInclusive) {
  EXPECT_TRUE(Errors(json::parse(R"({"q":"a","limit":10})")).empty());
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","limit":11})")),
            std::vector<std::string>{"arguments.limit: expected a number <= 10, got 11"});
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","limit":0})")),
            std::vector<std::string>{"arguments.limit: expected a number >= 1, got 0"});
}

TEST(JsonSchema, ExclusiveBoundsRejectTheBoundItself) {
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","ratio":0})")),
            std::vector<std::string>{"arguments.ratio: expected a number > 0, got 0"});
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","ratio":1})")),
            std::vector<std::string>{"arguments.ratio: expected a number < 1, got 1"});
}

TEST(JsonSchema, StringLengthCountsCharactersNotBytes) {
  EXPECT_TRUE(Errors(json::parse(R"({"q":"héllo"})")).empty());  // 5 characters, 6 bytes
  EXPECT_EQ(Errors(json::parse(R"({"q":"abcdef"})")),
            std::vector<std::string>{"arguments.q: expected at most 5 characters, got 6"});
  EXPECT_EQ(Errors(json::parse(R"({"q":""})")),
            std::vector<std::string>{"arguments.q: expected at least 1 characters, got 0"});
}

TEST(JsonSchema, EnumListsTheOptions) {
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","mode":"slow"})")),
            std::vector<std::string>{R"(arguments.mode: expected one of ["fast", "exact"], got "slow")"});
}

TEST(JsonSchema, ArrayItemsAreCheckedWithTheirIndex) {
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","tags":["x", 3]})")),
            std::vector<std::string>{"arguments.tags[1]: expected string, got number"});
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","tags":[]})")),
            std::vector<std::string>{"arguments.tags: expected at least 1 items, got 0"});
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","tags":["a","b","c"]})")),
            std::vector<std::string>{"arguments.tags: expected at most 2 items, got 3"});
}

TEST(JsonSchema, NestedObjectsReportNestedPaths) {
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","filter":{"lang":1}})")),
            std::vector<std::string>{"arguments.filter.lang: expected string, got number"});
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","filter":{}})")),
            std::vector<std::string>{"arguments.filter: missing required property \"lang\""});
}

TEST(JsonSchema, AdditionalPropertiesFalseRejectsUnknownKeys) {
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","filter":{"lang":"en","region":"eu"}})")),
            std::vector<std::string>{"arguments.filter.region: unexpected property (allowed: lang)"});
}

TEST(JsonSchema, AdditionalPropertiesSchemaChecksUnknownKeys) {
  const json schema = json::parse(R"({"type":"object","additionalProperties":{"type":"integer"}})");
  EXPECT_EQ(SchemaErrors(schema, json::parse(R"({"a":1,"b":"x"})")),
            std::vector<std::string>{"arguments.b: expected integer, got string"});
}

TEST(JsonSchema, TypeListAcceptsAnyListedType) {
  EXPECT_EQ(Errors(json::parse(R"({"q":"a","nullable":true})")),
            std::vector<std::string>{"arguments.nullable: expected string or null, got boolean"});
}

TEST(JsonSchema, ConstMustMatchExactly) {
  const json schema = json::parse(R"({"type":"object","properties":{"v":{"const":2}}})");
  EXPECT_EQ(SchemaErrors(schema, json::parse(R"({"v":3})")), std::vector<std::string>{"arguments.v: expected 2, got 3"});
}

TEST(JsonSchema, SeveralErrorsAreAllReportedUpToTheLimit) {
  auto errors = Errors(json::parse(R"({"limit":"x","ratio":"y"})"));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(SchemaErrors(kSearchSchema, json::parse(R"({"limit":"x","ratio":"y"})"), "arguments", 1).size(), 1u);
}

TEST(JsonSchema, ValidateJoinsErrorsIntoOneInvalidArgument) {
  Status s = ValidateAgainstSchema(kSearchSchema, json::parse(R"({"q":1,"limit":0})"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  // Objects iterate in key order (nlohmann::json sorts keys).
  EXPECT_EQ(s.message(), "arguments.limit: expected a number >= 1, got 0; arguments.q: expected string, got number");
}

TEST(JsonSchema, ParameterSchemaMustBeAnObjectSchema) {
  EXPECT_TRUE(CheckParameterSchema(kSearchSchema).ok());
  EXPECT_EQ(CheckParameterSchema(json::parse(R"({"type":"string"})")).message(),
            "parameters.type: a tool's parameters must be {\"type\": \"object\", ...}");
  EXPECT_EQ(CheckParameterSchema(json::parse(R"({"type":"object","properties":{"q":{"type":"str"}}})")).message(),
            "parameters.properties.q.type: unknown type \"str\"");
  EXPECT_EQ(CheckParameterSchema(json::parse(R"({"type":"object","properties":{"n":{"maximum":"9"}}})")).message(),
            "parameters.properties.n.maximum: expected a number, got string");
  EXPECT_EQ(CheckParameterSchema(json(3)).message(), "parameters: expected a schema object, got number");
}

}  // namespace
}  // namespace reagent

import RapportHTTP
import RapportServices

/// Why two records may be one: `{"rule", "value", "message"}`.
struct DuplicateReasonBody: Encodable, Sendable {
    var rule: String
    var value: String
    var message: String

    init(_ reason: DuplicateService.Reason) {
        rule = reason.rule
        value = reason.value
        message = reason.message
    }
}

/// A record as a duplicate suggestion names it: `{"id", "title", "subtitle"}`.
struct DuplicateRecordBody: Encodable, Sendable {
    var id: String
    var title: String
    @Nullable var subtitle: String?

    init(_ side: DuplicateService.Side) {
        id = side.id
        title = side.title
        subtitle = side.subtitle
    }

    enum CodingKeys: String, CodingKey { case id, title, subtitle }
}

/// A record's possible duplicate: the other record and the reasons.
struct DuplicateBody: Encodable, Sendable {
    var record: DuplicateRecordBody
    var reasons: [DuplicateReasonBody]

    init(_ suggestion: DuplicateService.Suggestion) {
        record = DuplicateRecordBody(suggestion.record)
        reasons = suggestion.reasons.map(DuplicateReasonBody.init)
    }
}

/// A pair of the workspace's records that may be one.
struct DuplicatePairBody: Encodable, Sendable {
    var records: [DuplicateRecordBody]
    var reasons: [DuplicateReasonBody]

    init(_ pair: DuplicateService.Pair) {
        records = [DuplicateRecordBody(pair.first), DuplicateRecordBody(pair.second)]
        reasons = pair.reasons.map(DuplicateReasonBody.init)
    }
}

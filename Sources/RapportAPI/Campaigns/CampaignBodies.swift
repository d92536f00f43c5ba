import Foundation
import RapportCore
import RapportServices

/// The API's JSON for campaigns (`openapi.yaml`: Campaign, CampaignStats, CampaignVariant, CampaignTest,
/// CampaignMessage). An absent value is null; rates are fractions rounded to four decimals.
enum CampaignBodies {
    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func time(_ micros: Int64?) -> JSONValue { micros.map { .string(Timestamp.rfc3339($0)) } ?? .null }
    static func number(_ value: Int) -> JSONValue { .number(Double(value)) }
    static func fraction(_ value: Double?, places: Double = 10_000) -> JSONValue {
        value.map { .number(($0 * places).rounded() / places) } ?? .null
    }

    static func campaign(_ report: CampaignService.Report) -> JSONValue {
        let c = report.campaign
        var test: JSONValue = .null
        if let outcome = report.outcome {
            test = .object([
                "metric": .string(c.winnerMetric.rawValue), "best": text(outcome.best),
                "significant": .bool(outcome.significant), "p_value": fraction(outcome.pValue, places: 1_000_000),
                "alpha": fraction(outcome.alpha, places: 1_000_000),
                "comparisons": .array(
                    outcome.versus.map {
                        .object([
                            "variant": .string($0.key), "z": fraction($0.comparison?.z),
                            "p_value": fraction($0.comparison?.pValue, places: 1_000_000),
                        ])
                    }),
            ])
        }
        return .object([
            "id": .string(c.id), "name": .string(c.name), "segment_id": .string(c.segmentID),
            "template_id": .string(c.templateID), "status": .string(c.status.rawValue), "send_at": time(c.sendAt),
            "time_zone": .string(report.timeZone),
            "variants": .array(report.variants.map(variant)), "test_share": number(c.testShare),
            "winner_metric": .string(c.winnerMetric.rawValue), "winner_wait_minutes": number(c.winnerWaitMinutes),
            "default_variant": .string(c.defaultVariant), "chosen_variant": text(c.chosenVariant),
            "winner_variant": text(c.winnerVariant), "winner_reason": text(c.winnerReason?.rawValue),
            "winner_due_at": time(c.winnerDueAt), "test": test, "audience": c.audience.map(number) ?? .null,
            "problem": text(c.problem), "stats": stats(report.counts), "rest_stats": report.rest.map(stats) ?? .null,
            "reasons": .array(
                report.reasons.map {
                    .object([
                        "state": .string($0.state.rawValue), "reason": .string($0.reason), "count": number($0.count),
                    ])
                }),
            "created_by": text(c.createdBy), "created_at": time(c.createdAt), "updated_at": time(c.updatedAt),
            "started_at": time(c.startedAt), "finished_at": time(c.finishedAt),
        ])
    }

    static func variant(_ variant: CampaignService.Report.Variant) -> JSONValue {
        let interval = variant.result.interval
        return .object([
            "key": .string(variant.variant.key), "subject": text(variant.variant.subject),
            "template_id": text(variant.variant.templateID), "stats": stats(variant.counts),
            "rate": fraction(variant.result.rate), "ci_low": fraction(interval?.low),
            "ci_high": fraction(interval?.high),
        ])
    }

    static func stats(_ counts: CampaignCounts) -> JSONValue {
        .object([
            "queued": number(counts.queued), "deferred": number(counts.deferred), "sent": number(counts.sent),
            "bounced": number(counts.bounced), "failed": number(counts.failed), "skipped": number(counts.skipped),
            "opened": number(counts.opened), "clicked": number(counts.clicked),
            "unsubscribed": number(counts.unsubscribed), "total": number(counts.total),
            "open_rate": fraction(counts.openRate), "click_rate": fraction(counts.clickRate),
            "unsubscribe_rate": fraction(counts.unsubscribeRate), "bounce_rate": fraction(counts.bounceRate),
        ])
    }

    /// An outbox row of the campaign: the outbox's fields, its variant and what its recipient did.
    static func message(_ message: OutboxMessage, hideAddress: Bool) -> JSONValue {
        guard case .object(var members) = EmailBodies.message(message, hideAddress: hideAddress) else { return .null }
        members["variant"] = text(message.variant)
        members["deferred_reason"] = text(message.deferredReason)
        members["opened_at"] = time(message.openedAt)
        members["clicked_at"] = time(message.clickedAt)
        members["unsubscribed_at"] = time(message.unsubscribedAt)
        return .object(members)
    }
}

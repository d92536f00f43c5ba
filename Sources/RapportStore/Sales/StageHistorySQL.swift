import Foundation
import SQLKit

/// The statements that keep the stage history's derived columns (M0027) current.
enum StageHistorySQL {
    /// A transition's rank as the funnel sees it: the won stage beyond every open stage, open stages by
    /// position, lost stages before all.
    static let rank = "CASE s.kind WHEN 'won' THEN 1000000 WHEN 'open' THEN s.position ELSE -1 END"

    /// Whether a transition into an open stage was followed, in the same pipeline, by a further one.
    static let advanced =
        """
        CASE WHEN s.kind = 'open' AND COALESCE(MAX(\(rank)) OVER (PARTITION BY h.deal_id, h.pipeline_id
            ORDER BY h.entered_at, h.id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), -1) > s.position
        THEN 1 ELSE 0 END
        """

    /// Sets every derived column of the transitions of the deals that `condition` (on `h`) selects. It must
    /// select whole deals: a stay ends at the deal's next transition, in whichever pipeline.
    static func refresh(where condition: String) -> String {
        """
        UPDATE deal_stage_history SET stay_micros = x.stay_micros, previous_entry_at = x.previous_entry_at,
            advanced = x.advanced
        FROM (
            SELECT h.workspace_id, h.id,
                LEAD(h.entered_at) OVER (PARTITION BY h.deal_id ORDER BY h.entered_at, h.id) - h.entered_at AS stay_micros,
                LAG(h.entered_at) OVER (PARTITION BY h.deal_id, h.stage_id ORDER BY h.entered_at, h.id) AS previous_entry_at,
                \(advanced) AS advanced
            FROM deal_stage_history h LEFT JOIN stages s ON s.workspace_id = h.workspace_id AND s.id = h.stage_id
            WHERE \(condition)
        ) x
        WHERE deal_stage_history.workspace_id = x.workspace_id AND deal_stage_history.id = x.id
        """
    }

    /// Sets `advanced` again on the transitions of the pipeline that `condition` (on `h`) selects, after its
    /// stages were reordered or changed kind.
    static func refreshAdvanced(where condition: String) -> String {
        """
        UPDATE deal_stage_history SET advanced = x.advanced
        FROM (
            SELECT h.workspace_id, h.id, \(advanced) AS advanced
            FROM deal_stage_history h LEFT JOIN stages s ON s.workspace_id = h.workspace_id AND s.id = h.stage_id
            WHERE \(condition)
        ) x
        WHERE deal_stage_history.workspace_id = x.workspace_id AND deal_stage_history.id = x.id
            AND deal_stage_history.advanced <> x.advanced
        """
    }
}

extension StageHistorySQL {
    /// `refresh(where:)` with a condition that binds values.
    static func refresh(_ condition: SQLQueryString) -> SQLQueryString {
        wrap(refresh(where:), condition)
    }

    /// `refreshAdvanced(where:)` with a condition that binds values.
    static func refreshAdvanced(_ condition: SQLQueryString) -> SQLQueryString {
        wrap(refreshAdvanced(where:), condition)
    }

    private static func wrap(_ statement: (String) -> String, _ condition: SQLQueryString) -> SQLQueryString {
        let marker = "\u{1}condition\u{1}"
        let parts = statement(marker).components(separatedBy: marker)
        return "\(unsafeRaw: parts[0])" + condition + "\(unsafeRaw: parts[1])"
    }
}

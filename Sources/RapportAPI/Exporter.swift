import Foundation
package import RapportCore
import RapportStore

/// Streams a workspace's contacts or companies as CSV or JSON lines, a batch at a time, in the column
/// names the importer maps back: `id`, every standard field, and `custom.KEY` for each custom field.
/// Lists and maps are JSON in a CSV cell.
package struct Exporter: Sendable {
    package enum Format: String, Sendable { case csv, jsonl }

    let services: Services
    let schema: RecordSchema
    let format: Format

    package init(_ services: Services, schema: RecordSchema, format: Format) {
        self.services = services
        self.schema = schema
        self.format = format
    }

    package var contentType: String { format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson" }

    /// Calls `write` with chunks of the file until every record is written.
    package func run(workspaceID: String, write: (String) async throws -> Void) async throws {
        let service = RecordService(services, schema: schema)
        let definitions = try await service.customFields(workspaceID: workspaceID)
        let fields = schema.fields
        if format == .csv {
            try await write(CSVWriter.line(["id"] + fields.map(\.name) + definitions.map { "custom.\($0.key)" }))
        }
        var query = ListQuery()
        query.sort = ListQuery.Sort(target: .time("created_at"), descending: false)
        var after: RecordCursor?
        repeat {
            let page = try await service.repository.list(
                workspaceID: workspaceID, query: query, limit: 1000, after: after)
            var chunk = ""
            for record in page.records {
                switch format {
                case .csv:
                    let cells =
                        [record.id] + fields.map { Self.cell(record[$0.name]) }
                        + definitions.map { Self.cell(record.custom[$0.key] ?? .null) }
                    chunk += CSVWriter.line(cells)
                case .jsonl:
                    let data = try JSONCoding.encoder.encode(RecordBody(record: record, schema: schema))
                    chunk += String(decoding: data, as: UTF8.self) + "\n"
                }
            }
            if !chunk.isEmpty { try await write(chunk) }
            after = page.next
        } while after != nil
    }

    /// A value as one CSV cell: text as is, numbers without a fraction when whole, lists and maps as JSON.
    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            return number.rounded() == number && abs(number) < 9e15 ? String(Int64(number)) : String(number)
        case .array, .object:
            return JSONText.encode(value)
        }
    }
}

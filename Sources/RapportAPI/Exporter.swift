import Foundation
package import RapportCore
import RapportStore

/// Streams a workspace's contacts or companies as CSV or JSON lines, in the column names the importer
/// maps back: `id`, every standard field, and `custom.KEY` for each custom field. Lists and maps are
/// JSON in a CSV cell. Rows are read a page at a time in creation order, straight from the driver, and
/// turned into text on the database's thread while the previous page is being sent.
package struct Exporter: Sendable {
    package enum Format: String, Sendable { case csv, jsonl }

    let services: Services
    let schema: RecordSchema
    let format: Format
    static let pageSize = 5000

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
        let repository = service.repository
        let fields = schema.fields
        let keys = definitions.map(\.key)
        if format == .csv {
            try await write(CSVWriter.line(["id"] + fields.map(\.name) + keys.map { "custom.\($0)" }))
        }
        let format = self.format
        let sql =
            "SELECT \(repository.columns.joined(separator: ", ")) FROM \(repository.table) WHERE workspace_id = ? "
        let order = " ORDER BY created_at, id LIMIT \(Self.pageSize)"
        var after: (createdAt: Int64, id: String)?
        // Each page is turned into text on another thread while the next one is read.
        var formatting: Task<String, Never>?
        repeat {
            var binds: [DBValue] = [.text(workspaceID)]
            var query = sql
            if let after {
                query += "AND (created_at, id) > (?, ?)"
                binds += [.int(after.createdAt), .text(after.id)]
            }
            let (statement, values) = (query + order, binds)
            let rows = try await services.store.bulkRead { session in try await session.rows(statement, values) }
            if let text = await formatting?.value, !text.isEmpty { try await write(text) }
            formatting = Task {
                Self.text(rows[...], format: format, fields: fields, keys: keys, repository: repository)
            }
            after =
                rows.count == Self.pageSize
                ? rows.last.map { ($0[$0.count - 2].int ?? 0, $0[1].text ?? "") } : nil
        } while after != nil
        if let text = await formatting?.value, !text.isEmpty { try await write(text) }
    }

    /// Rows as CSV lines or JSON lines.
    static func text(
        _ rows: ArraySlice<[DBValue]>, format: Format, fields: [FieldSpec], keys: [String], repository: RecordRepository
    ) -> String {
        switch format {
        case .csv:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(rows.count * 256)
            for row in rows { appendCSV(row, fields: fields, customKeys: keys, to: &bytes) }
            return String(decoding: bytes, as: UTF8.self)
        case .jsonl:
            var text = ""
            for row in rows { appendJSON(row, repository: repository, to: &text) }
            return text
        }
    }

    /// A row of `columns` as one CSV line: stored JSON text goes out as it is, custom values by key.
    static func appendCSV(_ row: [DBValue], fields: [FieldSpec], customKeys: [String], to out: inout [UInt8]) {
        var cells: [String] = [row[1].text ?? ""]
        cells.reserveCapacity(fields.count + customKeys.count + 1)
        for (index, field) in fields.enumerated() {
            let stored = row[index + 2]
            switch field.kind {
            case .count: cells.append(stored.int.map(String.init) ?? "")
            case .timestamp: cells.append(stored.int.map(Timestamp.rfc3339) ?? "")
            default: cells.append(stored.text ?? "")  // stored JSON text of lists and maps goes out as it is
            }
        }
        if !customKeys.isEmpty {
            let text = row[fields.count + 2].text ?? "{}"
            let custom: [String: JSONValue]
            if text == "{}" {
                custom = [:]
            } else if case .object(let members)? = try? JSONText.decode(text) {
                custom = members
            } else {
                custom = [:]
            }
            for key in customKeys { cells.append(cell(custom[key] ?? .null)) }
        }
        CSVWriter.append(cells, to: &out)
    }

    /// A row as the API shows the record, on one line.
    static func appendJSON(_ row: [DBValue], repository: RecordRepository, to out: inout String) {
        guard let record = try? repository.record(values: row) else { return }
        var object: [String: JSONValue] = ["id": .string(record.id)]
        for field in repository.schema.fields { object[field.name] = record[field.name] }
        object["custom"] = .object(record.custom)
        object["created_at"] = .string(Timestamp.rfc3339(record.createdAt))
        object["updated_at"] = .string(Timestamp.rfc3339(record.updatedAt))
        JSONText.write(.object(object), to: &out)
        out += "\n"
    }

    /// A value as one CSV cell: text as is, numbers without a fraction when whole, lists and maps as JSON.
    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return JSONText.numberText(number)
        case .array, .object: return JSONText.encode(value)
        }
    }
}

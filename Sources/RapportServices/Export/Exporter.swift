import Foundation
package import RapportCore
import RapportDatabase
import RapportStore

/// Streams a workspace's contacts or companies as CSV or JSON lines, in the column names the importer
/// maps back: `id`, every standard field, and `custom.KEY` for each custom field. In CSV a reference is
/// followed by the name of what it points to (`company_name`, `owner_name`), and lists and maps are
/// JSON in a cell. Rows are read a page at a time in creation order, straight from the driver, two
/// pages at once, and turned into text on another thread while the next pages are read.
package struct Exporter: Sendable {
    package enum Format: String, Sendable { case csv, jsonl }

    let services: Services
    let schema: ObjectType
    let format: Format
    /// Rows per page read (tests make it small to cross many pages).
    let pageSize: Int

    package init(_ services: Services, schema: ObjectType, format: Format, pageSize: Int = 5000) {
        self.services = services
        self.schema = schema
        self.pageSize = max(1, pageSize)
        self.format = format
    }

    package var contentType: String { format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson" }

    /// Calls `write` with chunks of the file until every record the viewer may see is written, without
    /// the fields their role hides.
    /// - Parameter filter: only the records a list shows (its filters and search words), in its order.
    /// - Throws: `forbidden` when the viewer's role may not export the object.
    package func run(
        _ viewer: Viewer, filter: (query: ListQuery, search: [String])? = nil,
        write: ([UInt8]) async throws -> Void
    ) async throws {
        let workspaceID = viewer.workspaceID
        let reach = try viewer.scope(.export, on: schema)
        let service = RecordService(services, schema: schema)
        let definitions = try await service.customFields(workspaceID: workspaceID)
        if filter != nil || !viewer.hiddenFields(schema).isEmpty {
            return try await run(
                service, viewer: viewer, filter: filter ?? (ListQuery(), []), definitions: definitions, write: write)
        }
        let repository = service.repository
        let fields = schema.fields
        let keys = definitions.map(\.key)
        if format == .csv { try await write(Array(CSVWriter.line(header(customKeys: keys)).utf8)) }
        let format = self.format
        let pageSize = self.pageSize
        let columnCount = repository.columns.count
        let kinds = fields.map(\.kind)
        let references = fields.enumerated().filter { if case .reference = $0.element.kind { true } else { false } }
        /// The rows after `start` up to and including `end` (to the last one without it), as text: written
        /// on the reading connection's thread, from the cells as the database holds them.
        func page(after start: CreationKey?, through end: CreationKey?) -> Task<[UInt8], any Error> {
            Task {
                let text = TextBox()
                text.bytes.reserveCapacity(pageSize * (format == .csv ? 256 : 512))
                // the names of what the page's references point to, looked up before it is read
                var names: [Int: [String: String]] = [:]
                if format == .csv {
                    for (index, field) in references {
                        let ids = try await repository.referencedIDs(
                            field.name, reach: reach, after: start, through: end)
                        names[index] = try await service.referenceTitles(field: field.name, ids: ids, viewer: viewer)
                    }
                }
                let pageNames = names
                try await repository.scanPage(reach, after: start, through: end) { row in
                    switch format {
                    case .csv:
                        Self.appendCSV(row, kinds: kinds, names: pageNames, customKeys: keys, to: &text.bytes)
                    case .jsonl:
                        StoredRecordBody(row: row.values(count: columnCount), repository: repository)
                            .writeJSON(to: &text.bytes)
                        text.bytes.append(UInt8(ascii: "\n"))
                    }
                }
                return text.bytes
            }
        }
        // Pages are found from the index first, so two are read and written at once on two connections.
        var reading: [Task<[UInt8], any Error>] = []
        var start: CreationKey?
        var more = true
        do {
            while more || !reading.isEmpty {
                while more && reading.count < 2 {
                    let end = try await repository.pageEnd(reach, after: start, size: pageSize)
                    reading.append(page(after: start, through: end))
                    start = end
                    more = end != nil
                }
                let text = try await reading.removeFirst().value
                if !text.isEmpty { try await write(text) }
            }
        } catch {
            for task in reading { _ = try? await task.value }
            throw error
        }
    }

    /// The records of a list, a page at a time in the list's order, without the fields the viewer's
    /// role hides.
    func run(
        _ service: RecordService, viewer: Viewer, filter: (query: ListQuery, search: [String]),
        definitions: [CustomFieldDefinition], write: ([UInt8]) async throws -> Void
    ) async throws {
        let hidden = viewer.hiddenFields(schema)
        let fields = schema.fields.filter { !hidden.contains($0.name) }
        let keys = definitions.map(\.key).filter { !hidden.contains("custom.\($0)") }
        let references = fields.filter { if case .reference = $0.kind { true } else { false } }.map(\.name)
        if format == .csv {
            try await write(Array(CSVWriter.line(header(customKeys: keys, hidden: hidden)).utf8))
        }
        var after: RecordCursor?
        repeat {
            let page = try await service.list(
                viewer, query: filter.query, limit: pageSize, after: after, search: filter.search)
            var bytes: [UInt8] = []
            let titles =
                format == .csv
                ? try await service.referenceTitles(page.records, fields: references, viewer: viewer) : [:]
            for record in page.records {
                switch format {
                case .csv:
                    var cells = [record.id]
                    for field in fields {
                        switch (field.kind, record[field.name]) {
                        case (.timestamp, .number(let micros)), (.dateTime, .number(let micros)):
                            cells.append(Timestamp.rfc3339(Int64(micros)))
                        case (_, let value): cells.append(Self.cell(value))
                        }
                        if case .reference = field.kind {
                            cells.append(record.string(field.name).flatMap { titles[field.name]?[$0] } ?? "")
                        }
                    }
                    cells += keys.map { Self.cell(record.custom[$0] ?? .null) }
                    bytes += Array(CSVWriter.line(cells).utf8)
                case .jsonl:
                    RecordBody(record: record, schema: schema, hidden: hidden).writeJSON(to: &bytes)
                    bytes.append(UInt8(ascii: "\n"))
                }
            }
            if !bytes.isEmpty { try await write(bytes) }
            after = page.next
        } while after != nil
    }

    /// The CSV header: `id`, each field (a reference followed by its name's column), each custom field.
    func header(customKeys: [String], hidden: Set<String> = []) -> [String] {
        var names = ["id"]
        for field in schema.fields where !hidden.contains(field.name) {
            names.append(field.name)
            if case .reference = field.kind { names.append(ImportMapping.Target.referenceName(field.name).name) }
        }
        return names + customKeys.map { "custom.\($0)" }
    }

    /// The text of one page, filled on the reading connection's thread.
    final class TextBox: @unchecked Sendable {
        var bytes: [UInt8] = []
    }

    /// A row of `columns` as one CSV line: stored JSON text goes out as it is, custom values by key.
    /// `names` holds, by field index, the names of what references point to.
    static func appendCSV(
        _ row: RowCells, kinds: [FieldKind], names: [Int: [String: String]], customKeys: [String],
        to out: inout [UInt8]
    ) {
        _ = row.withUTF8(1) { CSVWriter.appendField($0, to: &out) }
        for (index, kind) in kinds.enumerated() {
            out.append(44)
            let column = index + 2
            switch kind {
            case .count, .money: if let number = row.int(column) { out.append(contentsOf: String(number).utf8) }
            case .boolean:
                if let flag = row.int(column) { out.append(contentsOf: (flag != 0 ? "true" : "false").utf8) }
            case .timestamp, .dateTime:
                if let time = row.int(column) { out.append(contentsOf: Timestamp.rfc3339(time).utf8) }
            case .reference:
                _ = row.withUTF8(column) { CSVWriter.appendField($0, to: &out) }
                out.append(44)
                if let id = row.text(column), let name = names[index]?[id] { CSVWriter.appendField(name, to: &out) }
            // stored JSON text of lists and maps goes out as it is
            default: _ = row.withUTF8(column) { CSVWriter.appendField($0, to: &out) }
            }
        }
        if !customKeys.isEmpty {
            let text = row.text(kinds.count + 2) ?? "{}"
            var custom: [String: JSONValue] = [:]
            if text != "{}", case .object(let members)? = try? JSONText.decode(text) { custom = members }
            for key in customKeys {
                out.append(44)
                CSVWriter.appendField(cell(custom[key] ?? .null), to: &out)
            }
        }
        out.append(13)
        out.append(10)
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

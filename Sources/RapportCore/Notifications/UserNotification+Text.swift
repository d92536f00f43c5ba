/// The English summaries notifications carry (`text`). Pages say the same in the reader's language from
/// `data`; these are what the API answers and what is shown when a page has no words of its own.
extension UserNotification {
    /// "Email", "Email and Job title", "Email, Job title and Owner".
    package static func englishList(_ items: [String]) -> String {
        switch items.count {
        case 0: ""
        case 1: items[0]
        default: items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }

    /// A standard field's label made from its name (`job_title` → `Job title`, `owner_id` → `Owner`).
    package static func englishLabel(field: String) -> String {
        var name = field
        if name.hasSuffix("_id") { name.removeLast(3) }
        let words = name.split(separator: "_").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// "Ana Lopes changed Email and Job title on Oksana Petrenko".
    package static func changedText(actor: String, labels: [String], title: String) -> String {
        "\(actor) changed \(englishList(labels)) on \(title)"
    }

    /// "Ana Lopes made you the owner of Oksana Petrenko".
    package static func ownerText(actor: String, title: String) -> String {
        "\(actor) made you the owner of \(title)"
    }

    /// "Reminder: Call Oksana back is due 2026-12-05T09:30:00.000Z" (the API's text; pages say the time in
    /// the reader's zone), or "Reminder: Call Oksana back" for a task without a due time.
    package static func reminderText(title: String, dueAt: String?) -> String {
        dueAt.map { "Reminder: \(title) is due \($0)" } ?? "Reminder: \(title)"
    }

    /// "Ana Lopes mentioned you on Oksana Petrenko".
    package static func mentionText(actor: String, title: String) -> String {
        "\(actor) mentioned you on \(title)"
    }

    /// "Ana Lopes added a note on Oksana Petrenko" (a call, a meeting, an email).
    package static func activityText(actor: String, type: String, title: String) -> String {
        let article = type.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        return "\(actor) added \(article) \(type) on \(title)"
    }
}

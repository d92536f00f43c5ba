package import Foundation

/// Where an open task falls on its assignee's day, in their time zone: overdue (its due time has passed),
/// today (due later on the viewer's today), upcoming (due on a later day), or with no due time. A task due
/// at 23:30 UTC is today in London and tomorrow in Tehran (03:00 there).
package enum TaskAgenda: String, Sendable, CaseIterable {
    case overdue, today, upcoming, someday

    /// The group of a task due at `dueAt` (microseconds; nil for none) at `now`, for a viewer in `timeZone`.
    package static func group(dueAt: Int64?, now: Int64, timeZone: TimeZone) -> TaskAgenda {
        guard let dueAt else { return .someday }
        if dueAt < now { return .overdue }
        return dueAt < startOfTomorrow(now: now, timeZone: timeZone) ? .today : .upcoming
    }

    /// The first moment of the viewer's tomorrow (daylight saving time taken into account), in microseconds.
    package static func startOfTomorrow(now: Int64, timeZone: TimeZone) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.startOfDay(for: Timestamp.date(now))
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: today) ?? today.addingTimeInterval(86_400)
        return Timestamp.micros(tomorrow)
    }
}

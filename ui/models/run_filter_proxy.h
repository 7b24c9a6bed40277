#pragma once
// Filters the History table by workload, implementation, status and free text (over
// workload, model, implementation, host), reading the source rows directly so that
// filtering 10,000 runs stays cheap. Sorting uses RunTableModel::SortRole.
#include <QSortFilterProxyModel>
#include <QString>

namespace tbui {

class RunTableModel;

class RunFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunFilterProxy(QObject* parent = nullptr);

    void set_source(RunTableModel* model);
    // Empty string: no filter on that field.
    void set_workload(const QString& v);
    void set_implementation(const QString& v);
    void set_status(const QString& v);
    void set_text(const QString& v);

protected:
    bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

private:
    RunTableModel* runs_ = nullptr;
    QString workload_, implementation_, status_, text_;
};

}  // namespace tbui

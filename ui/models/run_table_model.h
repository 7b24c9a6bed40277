#pragma once
// The History table: one row per stored run, over RunSummary rows loaded once (no per-row
// queries). Display text is formatted here; SortRole gives the raw value so sorting by a
// figure or a date is numeric, and missing figures sort first.
#include <array>
#include <optional>
#include <vector>

#include <QAbstractTableModel>
#include <QDateTime>

#include "db/run_store.h"
#include "app/reports/key_figures.h"
#include "app/reports/run_config.h"

namespace tbui {

class RunTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Id, Date, Workload, Model, Implementation, Kernel, Host, Threads, Status,
        Throughput, LatencyP50, LatencyP95, TtftP50, Pinned, ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1, RunIdRole };

    struct Row {
        tbdb::RunSummary run;
        QDateTime started;                 // invalid when the stored date does not parse
        std::array<std::optional<double>, bench::kKeyFigureCount> figures;
        bench::RunConfig config;           // what History groups charts by
    };

    explicit RunTableModel(QObject* parent = nullptr);

    void set_runs(std::vector<tbdb::RunSummary> runs);
    const Row& row_at(int row) const { return rows_[static_cast<size_t>(row)]; }
    const std::vector<Row>& rows() const { return rows_; }
    int row_of_run(qint64 run_id) const;   // -1 when absent

    static bench::KeyFigure figure_of(Column c);   // for the key-figure columns only
    static QDateTime parse_date(const std::string& iso);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Row> rows_;
};

QString format_figure(std::optional<double> v);   // "—" when missing

}  // namespace tbui

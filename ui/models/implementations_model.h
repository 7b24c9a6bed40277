#pragma once
// The implementations a store holds runs of (app/reports/implementations_found.h), one row each:
// builds, runs, the newest run, the programs behind them and how each was told apart.
#include <vector>

#include <QAbstractTableModel>

#include "app/reports/implementations_found.h"

namespace tbui {

class ImplementationsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Implementation, Builds, Runs, Newest, Programs, ToldBy, ColumnCount };
    explicit ImplementationsModel(QObject* parent = nullptr);

    void set_found(std::vector<bench::ImplementationFound> found);
    const std::vector<bench::ImplementationFound>& found() const { return found_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<bench::ImplementationFound> found_;
};

}  // namespace tbui

#pragma once
// Baselines page: configured external programs (llama-bench paths), "run baseline now",
// importing result files (llama-bench json/jsonl/csv/sql output, our CSV/JSON exports) and the
// pinned baselines with unpin.
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTableView;

namespace tbui {

class AppContext;
class BaselineModel;

class BaselinesPage : public QWidget {
    Q_OBJECT
public:
    explicit BaselinesPage(AppContext* context, QWidget* parent = nullptr);

    BaselineModel* model() const { return model_; }
    QPushButton* run_baseline_button() const { return run_now_; }
    // Imports the files on the store worker; the outcome goes to the status bar / banner.
    void import_files(const QStringList& paths);
    QString last_import_summary() const { return last_import_; }

public slots:
    void reload();

signals:
    void importFinished(int runs);

private:
    void add_program();
    void remove_program();
    void save_programs();
    void unpin_selected();
    void pin_implementation();

    AppContext* context_;
    QListWidget* programs_ = nullptr;
    QPushButton* run_now_ = nullptr;
    QLabel* import_result_ = nullptr;
    BaselineModel* model_ = nullptr;
    QTableView* table_ = nullptr;
    QComboBox* implementations_ = nullptr;
    QString last_import_;
    quint64 generation_ = 0;
};

}  // namespace tbui

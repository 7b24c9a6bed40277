#pragma once
// The main window: a side list of pages (Run, History, Compare, Baselines, Settings), menu
// and toolbar with the shortcuts (Ctrl+R start, Esc cancel, Ctrl+E export), an error banner
// and the status bar. Remembers its geometry, page and the Run page's parameters.
#include <memory>

#include <QMainWindow>

class QAction;
class QLabel;
class QListWidget;
class QStackedWidget;

namespace tbui {

class AppContext;
class BaselinesPage;
class ComparePage;
class HistoryPage;
class RunPage;
class SettingsPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Page { RunPageIndex, HistoryPageIndex, ComparePageIndex, BaselinesPageIndex, SettingsPageIndex, PageCount };

    // db_path empty: the configured database (Settings), else the store's default.
    explicit MainWindow(const QString& db_path = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    AppContext* context() const { return context_.get(); }
    RunPage* run_page() const { return run_; }
    HistoryPage* history_page() const { return history_; }
    ComparePage* compare_page() const { return compare_; }
    BaselinesPage* baselines_page() const { return baselines_; }
    SettingsPage* settings_page() const { return settings_; }
    void show_page(Page page);
    Page current_page() const;
    QString banner_text() const;
    QAction* start_action() const { return start_; }
    QAction* cancel_action() const { return cancel_; }
    QAction* export_action() const { return export_; }
    static QString page_name(Page page);   // "run", "history", ... (screenshot file names)

public slots:
    void show_error(const QString& message);
    void export_current();
    void save_current_chart();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void build_actions();
    void build_menus_and_toolbar();
    void save_state();

    std::unique_ptr<AppContext> context_;   // destroyed before the pages (children): see AppContext
    QListWidget* nav_ = nullptr;
    QStackedWidget* stack_ = nullptr;
    QWidget* banner_ = nullptr;
    QLabel* banner_label_ = nullptr;
    RunPage* run_ = nullptr;
    HistoryPage* history_ = nullptr;
    ComparePage* compare_ = nullptr;
    BaselinesPage* baselines_ = nullptr;
    SettingsPage* settings_ = nullptr;
    QAction* start_ = nullptr;
    QAction* cancel_ = nullptr;
    QAction* export_ = nullptr;
    QAction* save_chart_ = nullptr;
    QAction* reload_ = nullptr;
    QAction* quit_ = nullptr;
};

}  // namespace tbui

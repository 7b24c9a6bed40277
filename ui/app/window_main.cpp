#include "ui/app/window_main.h"

#include <QApplication>
#include <QIcon>

#include "ui/app/main_window.h"
#include "ui/pages/run_form.h"
#include "ui/pages/run_page.h"

namespace tbui {

int run_window(int argc, char** argv, const std::string& db_path, const std::string& preset) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("ternbench");
    QApplication::setApplicationName("ternbench");
    QApplication::setWindowIcon(QIcon(":/icons/ternbench.svg"));
    MainWindow window(QString::fromStdString(db_path));
    if (!preset.empty()) window.run_page()->form()->set_demo_preset(QString::fromStdString(preset));
    window.show();
    return app.exec();
}

}  // namespace tbui
